//! End-to-end: the real `calmdesk` binary serving HTTP on a real database, on SQLite and on
//! PostgreSQL. Each scenario runs on both backends (see `on_both_backends!`).

mod support;

use std::time::{Duration, Instant};

use calmdesk::http_client::{Connection, Reply};
use hyper::Method;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use support::{Backend, Server};

macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let backend = super::Backend::sqlite();
                    super::$scenario(&backend).await;
                    backend.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let Some(backend) = super::Backend::postgres().await else { return };
                    super::$scenario(&backend).await;
                    backend.cleanup().await;
                }
            )*
        }
    };
}

on_both_backends!(
    readme_tour_survives_a_restart,
    bad_input_is_answered_with_problems_and_writes_nothing,
    lifecycle_assignment_and_history,
    roles_are_enforced,
    lists_are_cursor_paged,
    export_import_round_trip_is_byte_identical,
    operations_endpoints,
    seeded_cases_are_found_in_every_language,
    shutdown_finishes_requests_in_flight,
    a_promise_becomes_a_tracked_commitment,
    incident_records_reports_and_preventive_actions,
    the_customer_confirms_through_the_feedback_page,
    an_agents_token_sees_the_reminders_addressed_to_its_agent,
    an_agent_sends_the_drafted_delay_notice,
    incident_records_carry_offers,
);

fn chinese_case() -> Value {
    json!({
        "customer": {"name": "王丽", "email": "wang.li@example.com", "phone": "+86 138 0013 8000"},
        "channel": "email",
        "subject": "订单迟迟没有退款",
        "message": "我要退款，已经等了两个星期了。"
    })
}

/// Opens a case and returns its id.
async fn open_case(api: &mut Connection, body: &Value) -> String {
    let reply = api.post_json("/api/v1/cases", body).await.unwrap();
    reply.expect(201)["id"].as_str().unwrap().to_owned()
}

async fn sample_cases(api: &mut Connection, count: u64) -> Vec<String> {
    let mut ids = Vec::new();
    for case in calmdesk::samples::sample_cases(count as usize) {
        let body = serde_json::to_value(case).unwrap();
        ids.push(open_case(api, &body).await);
    }
    ids
}

fn assert_problem(reply: &Reply, status: u16, field: Option<&str>) -> Value {
    let problem = reply.expect(status);
    assert_eq!(reply.content_type(), "application/problem+json");
    assert_eq!(problem["status"], status);
    for member in ["type", "title", "detail"] {
        assert!(problem[member].is_string(), "{member} missing: {problem}");
    }
    if let Some(field) = field {
        assert_eq!(problem["field"], field, "{problem}");
    }
    problem
}

async fn search(api: &mut Connection, q: &str) -> Vec<String> {
    let path = format!("/api/v1/cases?q={}", percent_encode(q));
    api.get(&path).await.unwrap().expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn readme_tour_survives_a_restart(backend: &Backend) {
    let token = backend.token("admin");
    let server = Server::start(backend);
    let mut api = server.connect(&token).await;

    let created = api
        .post_json("/api/v1/cases", &chinese_case())
        .await
        .unwrap();
    let id = created.expect(201)["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("C-"), "{id}");
    assert_eq!(
        created.headers["location"],
        format!("/api/v1/cases/{id}").as_str()
    );
    assert_eq!(search(&mut api, "退款").await, vec![id.clone()]);
    assert!(search(&mut api, "保险").await.is_empty());
    acknowledgement(&mut api, &id).await;
    server.stop();

    let server = Server::start(backend);
    let mut api = server.connect(&token).await;
    assert_eq!(search(&mut api, "退款").await, vec![id.clone()]);
    let case = api
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(case["status"], "acknowledged", "by the engine");
    assert_eq!(case["messages"][0]["direction"], "inbound");
    assert_eq!(
        case["messages"][0]["body"],
        "我要退款，已经等了两个星期了。"
    );
    assert_eq!(case["customer"]["name"], "王丽");
    assert_eq!(case["language"], "zh-Hans", "detected from the complaint");

    // A token made while the server runs works at once.
    let late = backend.token("agent");
    assert_eq!(
        search(&mut server.connect(&late).await, "退款").await,
        vec![id]
    );
    server.stop();
}

async fn bad_input_is_answered_with_problems_and_writes_nothing(backend: &Backend) {
    let token = backend.token("agent");
    let server = Server::start(backend);
    let mut api = server.connect(&token).await;
    let id = open_case(&mut api, &chinese_case()).await;
    let messages = format!("/api/v1/cases/{id}/messages");
    acknowledgement(&mut api, &id).await;

    // Malformed JSON: the position is named.
    let reply = api
        .send(
            Method::POST,
            "/api/v1/cases",
            Some(b"{\"customer\": {".to_vec()),
        )
        .await
        .unwrap();
    let problem = assert_problem(&reply, 400, None);
    assert!(
        problem["detail"].as_str().unwrap().contains("line 1"),
        "{problem}"
    );

    // Wrong type, missing field, unknown enum value: the field is named.
    let refused = [
        ("/subject", json!(42), 400, "subject"),
        ("/customer/name", Value::Null, 400, "customer.name"),
        ("/channel", json!("fax"), 400, "channel"),
        ("/subject", json!("   "), 422, "subject"),
        (
            "/customer/email",
            json!("not-an-address"),
            422,
            "customer.email",
        ),
    ];
    for (pointer, value, status, field) in refused {
        let mut body = chinese_case();
        if value.is_null() {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            body.pointer_mut(parent)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(key);
        } else {
            *body.pointer_mut(pointer).unwrap() = value;
        }
        let reply = api.post_json("/api/v1/cases", &body).await.unwrap();
        assert_problem(&reply, status, Some(field));
    }

    // A category outside the taxonomy: the field is named, with the categories there are.
    let mut body = chinese_case();
    body["category"] = json!("weather");
    let reply = api.post_json("/api/v1/cases", &body).await.unwrap();
    let problem = assert_problem(&reply, 422, Some("category"));
    assert!(
        problem["detail"].as_str().unwrap().contains("delivery"),
        "{problem}"
    );
    let taxonomy = api.get("/api/v1/taxonomy").await.unwrap().expect(200);
    assert_eq!(taxonomy["categories"][0]["labels"]["el"], "Παράδοση");

    // Invalid UTF-8 and an oversized body.
    let invalid_utf8 = b"{\"direction\": \"inbound\", \"body\": \"\xff\xfe\"}".to_vec();
    let reply = api
        .send(Method::POST, &messages, Some(invalid_utf8))
        .await
        .unwrap();
    assert_problem(&reply, 400, None);
    let huge = json!({"direction": "inbound", "body": "x".repeat(web::BODY_LIMIT + 1)});
    assert_problem(&api.post_json(&messages, &huge).await.unwrap(), 413, None);

    // Unknown and malformed ids, unknown routes and methods.
    let mut api = server.connect(&token).await;
    assert_problem(&api.get("/api/v1/cases/C-999999").await.unwrap(), 404, None);
    let note = json!({"direction": "note", "body": "x"});
    let reply = api
        .post_json("/api/v1/cases/C-999999/messages", &note)
        .await
        .unwrap();
    assert_problem(&reply, 404, None);
    assert_problem(
        &api.get("/api/v1/cases/abc").await.unwrap(),
        400,
        Some("id"),
    );
    assert_problem(
        &api.get("/api/v1/customers/999999").await.unwrap(),
        404,
        None,
    );
    assert_problem(&api.get("/api/v1/nothing-here").await.unwrap(), 404, None);
    let reply = api
        .send(Method::DELETE, "/api/v1/cases", None)
        .await
        .unwrap();
    assert_problem(&reply, 405, None);

    // A huge q, a bad cursor, a bad limit, an unknown parameter.
    let long_q = percent_encode(&"退".repeat(5_000));
    for (query, field) in [
        (format!("q={long_q}"), "q"),
        ("cursor=zz".to_owned(), "cursor"),
        ("limit=0".to_owned(), "limit"),
        ("limit=ten".to_owned(), "limit"),
        ("stauts=open".to_owned(), "stauts"),
    ] {
        let reply = api.get(&format!("/api/v1/cases?{query}")).await.unwrap();
        assert_problem(&reply, 400, Some(field));
    }

    // An illegal transition names the allowed ones.
    let transitions = format!("/api/v1/cases/{id}/transitions");
    let reply = api
        .post_json(&transitions, &json!({"to": "closed"}))
        .await
        .unwrap();
    let problem = assert_problem(&reply, 409, Some("to"));
    assert_eq!(problem["allowed"], json!(["investigating"]));

    // None of the refused requests left anything behind.
    let list = api.get("/api/v1/cases").await.unwrap().expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let case = api
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(staff_and_customer_messages(&case).len(), 1);
    assert_eq!(case["status"], "acknowledged");
    server.stop();
}

async fn lifecycle_assignment_and_history(backend: &Backend) {
    let admin = backend.token("admin");
    let server = Server::start(backend);
    let mut api = server.connect(&admin).await;
    let department =
        json!({"name": "Refunds", "categories": ["billing"], "languages": ["zh-Hans", "en"]});
    let reply = api
        .post_json("/api/v1/departments", &department)
        .await
        .unwrap();
    let department_id = reply.expect(201)["id"].as_i64().unwrap();
    let agent = json!({"name": "Ana Pop", "role": "agent", "department_id": department_id, "languages": ["ro", "en"]});
    let reply = api.post_json("/api/v1/agents", &agent).await.unwrap();
    let agent_id = reply.expect(201)["id"].as_i64().unwrap();
    let id = open_case(&mut api, &chinese_case()).await;
    let case_path = format!("/api/v1/cases/{id}");
    let transitions = format!("{case_path}/transitions");
    acknowledgement(&mut api, &id).await;

    for to in [
        "investigating",
        "waiting_on_customer",
        "investigating",
        "resolution_proposed",
    ] {
        let reply = api
            .post_json(&transitions, &json!({"to": to}))
            .await
            .unwrap();
        assert_eq!(reply.expect(200)["status"], to);
    }
    let reply = api
        .post_json(&transitions, &json!({"to": "resolved"}))
        .await
        .unwrap();
    assert_problem(&reply, 422, Some("resolution"));
    let resolve = json!({"to": "resolved", "resolution": "confirmed"});
    let reply = api.post_json(&transitions, &resolve).await.unwrap();
    assert_eq!(reply.expect(200)["status"], "resolved");

    let answer = json!({"direction": "outbound", "body": "退款已经处理。"});
    let reply = api
        .post_json(&format!("{case_path}/messages"), &answer)
        .await
        .unwrap();
    assert_eq!(reply.expect(201)["direction"], "outbound");

    let owners = json!({"agent_id": agent_id, "department_id": department_id});
    let reply = api
        .put_json(&format!("{case_path}/assignment"), &owners)
        .await
        .unwrap();
    assert_eq!(reply.expect(200)["assignee_id"], agent_id);
    let transfers = format!("{case_path}/transfers");
    let without_note = json!({"department_id": department_id});
    let reply = api.post_json(&transfers, &without_note).await.unwrap();
    assert_problem(&reply, 422, Some("note"));
    let handoff = json!({"department_id": department_id, "note": "Refund done, customer waits for confirmation."});
    api.post_json(&transfers, &handoff)
        .await
        .unwrap()
        .expect(200);

    let record = json!({"problem": "Refund late", "discussions": ["Offered a voucher, refused"], "solution": "Refunded"});
    let reply = api
        .put_json(&format!("{case_path}/incident-record"), &record)
        .await
        .unwrap();
    reply.expect(200);

    let timeline = api
        .get(&format!("{case_path}/timeline"))
        .await
        .unwrap()
        .expect(200);
    let kinds: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"case_created"));
    for kind in [
        "status_changed",
        "message_added",
        "assigned",
        "transferred",
        "incident_record_set",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let case = api.get(&case_path).await.unwrap().expect(200);
    assert_eq!(case["incident_record"]["solution"], "Refunded");
    assert_eq!(staff_and_customer_messages(&case).len(), 2);

    let customers = api.get("/api/v1/customers").await.unwrap().expect(200);
    assert_eq!(customers["items"][0]["name"], "王丽");
    let customer_id = customers["items"][0]["id"].as_i64().unwrap();
    let customer = api
        .get(&format!("/api/v1/customers/{customer_id}"))
        .await
        .unwrap();
    assert_eq!(customer.expect(200)["email"], "wang.li@example.com");
    let agents = api.get("/api/v1/agents").await.unwrap().expect(200);
    assert_eq!(agents["items"][0]["name"], "Ana Pop");
    let departments = api.get("/api/v1/departments").await.unwrap().expect(200);
    assert_eq!(departments["items"][0]["name"], "Refunds");
    server.stop();
}

async fn roles_are_enforced(backend: &Backend) {
    let agent = backend.token("agent");
    let supervisor = backend.token("supervisor");
    let server = Server::start(backend);

    let mut anonymous = Connection::open(server.address).await.unwrap();
    for path in ["/api/v1/cases", "/api/v1/customers", "/api/v1/openapi.json"] {
        let reply = anonymous.get(path).await.unwrap();
        assert_problem(&reply, 401, None);
        assert_eq!(reply.headers["www-authenticate"], "Bearer");
    }
    let mut forged = server.connect("cdk_0000").await;
    assert_problem(&forged.get("/api/v1/cases").await.unwrap(), 401, None);

    let mut api = server.connect(&agent).await;
    let id = open_case(&mut api, &chinese_case()).await;
    let nobody = json!({"agent_id": null, "department_id": null});
    let assignment = format!("/api/v1/cases/{id}/assignment");
    let problem = assert_problem(
        &api.put_json(&assignment, &nobody).await.unwrap(),
        403,
        None,
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("supervisor"),
        "{problem}"
    );
    let reply = api
        .post_json("/api/v1/departments", &json!({"name": "X"}))
        .await
        .unwrap();
    assert_problem(&reply, 403, None);
    let reply = api
        .post_json("/api/v1/tokens", &json!({"name": "x", "role": "admin"}))
        .await;
    assert_problem(&reply.unwrap(), 403, None);

    let mut boss = server.connect(&supervisor).await;
    boss.put_json(&assignment, &nobody)
        .await
        .unwrap()
        .expect(200);
    let reply = boss
        .post_json("/api/v1/agents", &json!({"name": "X", "role": "agent"}))
        .await;
    assert_problem(&reply.unwrap(), 403, None);
    server.stop();
}

async fn lists_are_cursor_paged(backend: &Backend) {
    let token = backend.token("agent");
    let server = Server::start(backend);
    let mut api = server.connect(&token).await;
    let mut created = sample_cases(&mut api, 7).await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/cases?limit=3".to_owned();
    loop {
        let page = api.get(&path).await.unwrap().expect(200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/cases?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    created.reverse();
    assert_eq!(seen, created, "newest first, each case exactly once");
    server.stop();
}

async fn export_import_round_trip_is_byte_identical(backend: &Backend) {
    let token = backend.token("agent");
    let server = Server::start(backend);
    sample_cases(&mut server.connect(&token).await, 12).await;
    server.stop();

    let first = backend.run(&["export", "--jsonl"]);
    assert!(first.status.success(), "{first:?}");
    assert_eq!(String::from_utf8_lossy(&first.stdout).lines().count(), 12);

    let target = Backend::sqlite();
    let file = target.args()[1].clone() + "/export.jsonl";
    std::fs::write(&file, &first.stdout).unwrap();
    let imported = target.run(&["import", "--jsonl", "--input", &file]);
    assert!(imported.status.success(), "{imported:?}");
    let second = target.run(&["export", "--jsonl"]);
    assert_eq!(
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&second.stdout)
    );

    // Importing again conflicts: one clear line, non-zero exit, nothing changed.
    let again = target.run(&["import", "--jsonl", "--input", &file]);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("line 1"), "{stderr}");
    assert_eq!(target.run(&["export", "--jsonl"]).stdout, first.stdout);
}

async fn operations_endpoints(backend: &Backend) {
    let token = backend.token("agent");
    let server = Server::start(backend);
    let mut ops = Connection::open(server.address).await.unwrap();
    ops.get("/healthz").await.unwrap().expect(200);
    ops.get("/readyz").await.unwrap().expect(200);
    let mut api = server.connect(&token).await;
    api.get("/api/v1/cases").await.unwrap().expect(200);
    let openapi = api.get("/api/v1/openapi.json").await.unwrap().expect(200);
    assert_eq!(openapi["openapi"], "3.1.0");
    let metrics = ops.get("/metrics").await.unwrap();
    let metrics = String::from_utf8_lossy(&metrics.body);
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("http_requests_total")
                && line.contains("route=\"/api/v1/cases\"")
                && line.contains("status=\"200\"")),
        "{metrics}"
    );
    assert!(
        metrics.contains("http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    let log = server.stop();
    assert!(
        log.iter().any(|line| line.contains("shutting down")),
        "{log:#?}"
    );
}

async fn seeded_cases_are_found_in_every_language(backend: &Backend) {
    let seeded = backend.run(&["dev", "seed", "--cases", "60"]);
    assert!(seeded.status.success(), "{seeded:?}");
    let token = backend.token("agent");
    let server = Server::start_with(backend, &[("CALMDESK_LOG_FORMAT", "json")]);
    let mut api = server.connect(&token).await;
    let all = api
        .get("/api/v1/cases?limit=200")
        .await
        .unwrap()
        .expect(200);
    let languages: std::collections::BTreeSet<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["language"].as_str().unwrap())
        .collect();
    assert_eq!(all["items"].as_array().unwrap().len(), 60);
    assert_eq!(languages.len(), 6, "{languages:?}");
    // Typed the way people type: Greek without accents, Romanian without diacritics.
    let samples = calmdesk::samples::sample_cases(60);
    for (typed, as_written, language) in [
        ("παραγγελια", "παραγγελία", "el"),
        ("reclamatie", "Reclamație", "ro"),
        ("退款", "退款", "zh-Hans"),
        ("訂單", "訂單", "zh-Hant"),
        ("order", "order", "en"),
        ("wala", "wala", "tl"),
    ] {
        let written = samples.iter().any(|case| {
            case.language.as_deref() == Some(language)
                && (case.subject.contains(as_written) || case.message.contains(as_written))
        });
        assert!(
            written,
            "no {language} sample holds {as_written}: pick another word"
        );
        let path = format!("/api/v1/cases?limit=200&q={}", percent_encode(typed));
        let found = api.get(&path).await.unwrap().expect(200);
        let hits: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|case| case["language"].as_str().unwrap())
            .collect();
        assert!(hits.contains(&language), "{typed}: {hits:?}");
    }
    for line in server.stop() {
        let parsed: Result<Value, _> = serde_json::from_str(&line);
        assert!(parsed.is_ok(), "not a JSON log line: {line}");
    }
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["admin", "create-token", "--help"],
        &["export", "--help"],
        &["import", "--help"],
        &["dev", "seed", "--help"],
        &["bench", "--help"],
        &["report", "--help"],
    ] {
        let output = std::process::Command::new(support::BIN)
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage: calmdesk"),
            "{args:?}"
        );
    }
}

#[test]
fn command_line_errors_are_one_clear_line() {
    let missing_config = tempfile::tempdir().unwrap().path().join("absent.toml");
    let config_dir = tempfile::tempdir().unwrap();
    let bad_policy = |name: &str, text: &str| {
        let path = config_dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let unknown_zone = bad_policy(
        "zone.toml",
        "[engine.calendar]\ntime_zone = \"Mars/Olympus\"\n",
    );
    let negative_target = bad_policy(
        "sla.toml",
        "[[engine.sla.policies]]\nname = \"urgent\"\npriority = \"urgent\"\nresolution = \"-4h\"\n",
    );
    let overlapping_hours = bad_policy(
        "hours.toml",
        "[engine.calendar]\ntime_zone = \"Europe/Athens\"\n[engine.calendar.hours]\nmonday = [\"09:00-13:00\", \"12:00-17:00\"]\n",
    );
    let negative_retention = bad_policy("runs.toml", "[engine]\njob_runs_retention_days = -7\n");
    let data_dir = tempfile::tempdir().unwrap();
    let data_dir = data_dir.path().to_str().unwrap();
    for (args, expected) in [
        (
            vec!["admin", "create-token", "--name", "x", "--role", "boss"],
            "supervisor",
        ),
        (vec!["admin", "create-token", "--role", "agent"], "--name"),
        (
            vec![
                "migrate",
                "--database-url",
                "postgres://postgres@127.0.0.1:1/none",
            ],
            "error: ",
        ),
        (
            vec!["serve", "--config", missing_config.to_str().unwrap()],
            "cannot read configuration file",
        ),
        // A policy the engine cannot run with: serve refuses to start, naming the setting.
        (
            vec![
                "serve",
                "--data-dir",
                data_dir,
                "--config",
                unknown_zone.as_str(),
            ],
            "engine.calendar: unknown time zone \"Mars/Olympus\"",
        ),
        (
            vec![
                "serve",
                "--data-dir",
                data_dir,
                "--config",
                negative_retention.as_str(),
            ],
            "engine.job_runs_retention_days: must be 1 to 3650 days (got -7)",
        ),
        (
            vec![
                "serve",
                "--data-dir",
                data_dir,
                "--config",
                negative_target.as_str(),
            ],
            "engine.sla: sla policy \"urgent\": resolution",
        ),
        (
            vec![
                "serve",
                "--data-dir",
                data_dir,
                "--config",
                overlapping_hours.as_str(),
            ],
            "engine.calendar: hours.monday: periods",
        ),
        (
            vec![
                "serve",
                "--data-dir",
                data_dir,
                "--public-base-url",
                "ftp://x",
            ],
            "engine.public_base_url",
        ),
    ] {
        let output = std::process::Command::new(support::BIN)
            .args(&args)
            .env("CALMDESK_LOG", "off")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// A request whose body is still arriving when SIGTERM comes is completed, then the server exits.
async fn shutdown_finishes_requests_in_flight(backend: &Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let token = backend.token("agent");
    let server = Server::start(backend);
    let body = chinese_case().to_string();
    let (first_half, second_half) = body.as_bytes().split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(server.address)
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.address,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first_half).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    server.terminate();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stream.write_all(second_half).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    server.stop();

    // The case was stored: a fresh server finds it.
    let server = Server::start(backend);
    assert_eq!(
        search(&mut server.connect(&token).await, "退款")
            .await
            .len(),
        1
    );
    server.stop();
}

/// The coach over HTTP answers with the batch contract's shapes; it touches no database, so one
/// backend is enough.
#[tokio::test]
async fn coach_endpoints_answer_with_the_contract_shapes() {
    let backend = Backend::sqlite();
    let token = backend.token("agent");
    let server = Server::start(&backend);
    let mut api = server.connect(&token).await;

    let analysis = api
        .post_json(
            "/api/v1/coach/analyze",
            &json!({"id": "m1", "text": "我要退款！！！你们再不处理，我就去给差评！"}),
        )
        .await
        .unwrap()
        .expect(200);
    assert_eq!(analysis["id"], "m1");
    assert_eq!(analysis["language"], "zh-Hans");
    assert_eq!(analysis["complaint"], true);
    assert_eq!(analysis["public_exposure"], true);
    assert!(
        analysis["demands"]
            .as_array()
            .unwrap()
            .contains(&json!("refund"))
    );

    let lint = api
        .post_json(
            "/api/v1/coach/lint",
            &json!({"text": "I'm sorry, but that is our policy. I'll call you back within 10 minutes."}),
        )
        .await
        .unwrap()
        .expect(200);
    assert!(lint.get("id").is_none());
    assert_eq!(lint["language"], "en");
    assert_eq!(lint["findings"][0]["category"], "apology_but");
    assert!(lint["findings"][0]["suggestions"][0].is_string());
    assert_eq!(lint["promises"][0]["within_seconds"], 600);

    let missing = api
        .post_json("/api/v1/coach/lint", &json!({"language": "en"}))
        .await
        .unwrap();
    assert_problem(&missing, 400, None);
    let unauthenticated = Connection::open(server.address)
        .await
        .unwrap()
        .post_json("/api/v1/coach/analyze", &json!({"text": "hi"}))
        .await
        .unwrap();
    assert_problem(&unauthenticated, 401, None);
    server.stop();
    backend.cleanup().await;
}

// ---- The process engine over HTTP (issue 4) ------------------------------------------------

/// How long the engine may take to react to a change; it runs due jobs within about a second.
const ENGINE_PATIENCE: Duration = Duration::from_secs(15);

/// GETs `path` until `found` picks something out of the answer, or fails after ENGINE_PATIENCE.
async fn eventually<T>(
    api: &mut Connection,
    path: &str,
    what: &str,
    found: impl Fn(&Value) -> Option<T>,
) -> T {
    let deadline = Instant::now() + ENGINE_PATIENCE;
    loop {
        let body = api.get(path).await.unwrap().expect(200);
        if let Some(value) = found(&body) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {ENGINE_PATIENCE:?}; last answer {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn instant(value: &Value) -> Timestamp {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not an RFC 3339 instant: {value}"))
        .parse()
        .unwrap_or_else(|err| panic!("not an RFC 3339 instant: {value}: {err}"))
}

/// The messages people wrote: not the engine's notices and notes.
fn staff_and_customer_messages(case: &Value) -> Vec<&Value> {
    case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"] != engine::ENGINE_NAME)
        .collect()
}

/// The engine's outbound messages on a case (the acknowledgement, notices): not the agents'.
fn engine_messages(case: &Value) -> Vec<&Value> {
    case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "outbound" && m["author"] == engine::ENGINE_NAME)
        .collect()
}

async fn acknowledgement(api: &mut Connection, id: &str) -> Value {
    eventually(
        api,
        &format!("/api/v1/cases/{id}"),
        "acknowledgement",
        |case| engine_messages(case).first().map(|m| (*m).clone()),
    )
    .await
}

async fn a_promise_becomes_a_tracked_commitment(backend: &Backend) {
    let token = backend.token("agent");
    let server = Server::start(backend);
    let mut api = server.connect(&token).await;
    let mut body = chinese_case();
    body["language"] = json!("en");
    let created = api.post_json("/api/v1/cases", &body).await.unwrap();
    let case = created.expect(201);
    let id = case["id"].as_str().unwrap().to_owned();

    // The case carries its deadlines: acknowledge at once, answer within 3 business days.
    let received = instant(&case["created_at"]);
    let first_response_due = instant(&case["first_response_due"]);
    let resolution_due = instant(&case["resolution_due"]);
    assert!(received <= first_response_due, "{case}");
    assert!(resolution_due > received, "{case}");
    assert!(
        resolution_due <= received + SignedDuration::from_hours(24 * 7),
        "3 business days fit in a week: {case}"
    );
    assert_eq!(case["sla"]["resolution"]["due"], case["resolution_due"]);
    assert!(case["sla"]["state"].is_string(), "{case}");

    // ISO 10002: the acknowledgement, with the case id, recorded as a message of the case.
    let ack = acknowledgement(&mut api, &id).await;
    assert!(ack["body"].as_str().unwrap().contains(&id), "{ack}");
    let listed = api.get("/api/v1/cases").await.unwrap().expect(200);
    assert_eq!(listed["items"][0]["resolution_due"], case["resolution_due"]);
    assert!(listed["items"][0]["sla"]["first_response"].is_object());

    // CLEAR-C: a promise in an outbound message becomes a commitment due 10 minutes later.
    let promise = json!({"direction": "outbound", "body": "I'll call you back within 10 minutes."});
    let message = api
        .post_json(&format!("/api/v1/cases/{id}/messages"), &promise)
        .await
        .unwrap()
        .expect(201);
    let commitments = format!("/api/v1/cases/{id}/commitments");
    let commitment = eventually(&mut api, &commitments, "the promise's commitment", |list| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["source"] == "coach")
            .cloned()
    })
    .await;
    assert_eq!(commitment["kind"], "callback", "{commitment}");
    assert_eq!(commitment["status"], "open");
    assert_eq!(commitment["message_id"], message["id"]);
    let promised = instant(&message["created_at"]) + SignedDuration::from_mins(10);
    let due = instant(&commitment["due_at"]);
    assert!(
        due.duration_since(promised).abs() <= SignedDuration::from_secs(2),
        "due {due}, promised {promised}"
    );

    // A promise typed by hand; kept; a second "kept" is a conflict.
    let tomorrow = Timestamp::now() + SignedDuration::from_hours(24);
    let by_hand = json!({"kind": "answer", "description": "Send the refund confirmation", "due_at": tomorrow});
    let manual = api.post_json(&commitments, &by_hand).await.unwrap();
    let manual = manual.expect(201);
    assert_eq!(manual["source"], "manual");
    let fulfil = format!("/api/v1/commitments/{}/fulfil", manual["id"]);
    let kept = api.send(Method::POST, &fulfil, None).await.unwrap();
    assert_eq!(kept.expect(200)["status"], "fulfilled");
    let again = api.send(Method::POST, &fulfil, None).await.unwrap();
    assert_problem(&again, 409, None);
    let cancel = format!("/api/v1/commitments/{}/cancel", commitment["id"]);
    let cancelled = api.send(Method::POST, &cancel, None).await.unwrap();
    assert_eq!(cancelled.expect(200)["status"], "cancelled");
    let list = api.get(&commitments).await.unwrap().expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");

    // Bad input names the field and stores nothing.
    let yesterday = Timestamp::now() - SignedDuration::from_hours(24);
    for (body, status, field) in [
        (
            json!({"kind": "answer", "description": "x", "due_at": yesterday}),
            422,
            "due_at",
        ),
        (
            json!({"kind": "email", "description": "x", "due_at": tomorrow}),
            400,
            "kind",
        ),
        (
            json!({"kind": "answer", "description": " ", "due_at": tomorrow}),
            422,
            "description",
        ),
        (
            json!({"kind": "answer", "description": "x", "due_at": "soon"}),
            400,
            "due_at",
        ),
        (
            json!({"kind": "answer", "description": "x", "due_at": tomorrow, "source": "coach"}),
            400,
            "source",
        ),
    ] {
        let reply = api.post_json(&commitments, &body).await.unwrap();
        assert_problem(&reply, status, Some(field));
    }
    let unknown_case = api.get("/api/v1/cases/C-999999/commitments").await.unwrap();
    assert_problem(&unknown_case, 404, None);
    let unknown = api
        .send(Method::POST, "/api/v1/commitments/999999/fulfil", None)
        .await
        .unwrap();
    assert_problem(&unknown, 404, None);
    let malformed = api
        .send(Method::POST, "/api/v1/commitments/abc/cancel", None)
        .await
        .unwrap();
    assert_problem(&malformed, 400, Some("id"));
    let list = api.get(&commitments).await.unwrap().expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");

    let notifications = api.get("/api/v1/notifications").await.unwrap().expect(200);
    assert!(notifications["items"].is_array(), "{notifications}");
    let reply = api.get("/api/v1/notifications?case=x").await.unwrap();
    assert_problem(&reply, 400, Some("case"));
    server.stop();
}

/// Creates an agent through the API and returns its id.
async fn create_agent(api: &mut Connection, name: &str) -> i64 {
    let body = json!({"name": name, "role": "agent"});
    let reply = api.post_json("/api/v1/agents", &body).await.unwrap();
    reply.expect(201)["id"].as_i64().unwrap()
}

/// The notifications `api`'s token may read about case `id`.
async fn notifications_of(api: &mut Connection, id: &str) -> Vec<Value> {
    let path = format!("/api/v1/notifications?case={id}");
    let page = api.get(&path).await.unwrap().expect(200);
    page["items"].as_array().unwrap().clone()
}

/// The engine addresses reminders and alerts to `agent:<id>`; a token linked to that agent (by
/// `admin create-token --agent` or POST /api/v1/tokens with `agent_id`) sees them, another
/// agent's token does not.
async fn an_agents_token_sees_the_reminders_addressed_to_its_agent(backend: &Backend) {
    let admin = backend.token("admin");
    let server = Server::start(backend);
    let mut boss = server.connect(&admin).await;
    let ana = create_agent(&mut boss, "Ana Pop").await;
    let ben = create_agent(&mut boss, "Ben Lee").await;

    // Ana's token from the command line, Ben's over HTTP; both say whose they are.
    let output = backend.run(&[
        "admin",
        "create-token",
        "--name",
        "ana",
        "--role",
        "agent",
        "--agent",
        &ana.to_string(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let ana_token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let body = json!({"name": "ben", "role": "agent", "agent_id": ben});
    let issued = boss.post_json("/api/v1/tokens", &body).await.unwrap();
    let issued = issued.expect(201);
    assert_eq!(issued["agent_id"], ben, "{issued}");
    let ben_token = issued["token"].as_str().unwrap().to_owned();

    // An unknown agent: refused, naming the field, and no token is made.
    let unknown = ben + 1000;
    let body = json!({"name": "ghost", "role": "agent", "agent_id": unknown});
    let reply = boss.post_json("/api/v1/tokens", &body).await.unwrap();
    let problem = assert_problem(&reply, 422, Some("agent_id"));
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&unknown.to_string()),
        "{problem}"
    );
    let output = backend.run(&[
        "admin",
        "create-token",
        "--name",
        "ghost",
        "--role",
        "agent",
        "--agent",
        &unknown.to_string(),
    ]);
    assert!(!output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "no secret is printed: {output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("agent_id"), "{stderr}");

    // Ana's case, and a promise of hers due in three seconds.
    let mut ana_api = server.connect(&ana_token).await;
    let id = open_case(&mut ana_api, &chinese_case()).await;
    let assignment = json!({"agent_id": ana, "department_id": null});
    boss.put_json(&format!("/api/v1/cases/{id}/assignment"), &assignment)
        .await
        .unwrap()
        .expect(200);
    let due = Timestamp::now() + SignedDuration::from_secs(3);
    let promise =
        json!({"kind": "callback", "description": "Call back about the refund", "due_at": due});
    let commitments = format!("/api/v1/cases/{id}/commitments");
    let made = ana_api.post_json(&commitments, &promise).await.unwrap();
    assert_eq!(made.expect(201)["made_by"], "ana");

    let ana_recipient = format!("agent:{ana}");
    let path = format!("/api/v1/notifications?case={id}");
    let overdue = eventually(&mut ana_api, &path, "Ana's overdue alert", |page| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "commitment_overdue")
            .cloned()
    })
    .await;
    assert_eq!(overdue["recipient"], ana_recipient.as_str(), "{overdue}");
    let seen = notifications_of(&mut ana_api, &id).await;
    assert!(
        seen.iter()
            .all(|n| n["recipient"] == ana_recipient.as_str()),
        "Ana sees only what is hers: {seen:?}"
    );
    // The supervisors' copy of the alert exists, but is not Ana's.
    let everything = notifications_of(&mut boss, &id).await;
    assert!(
        everything
            .iter()
            .any(|n| n["kind"] == "commitment_overdue" && n["recipient"] == "supervisor"),
        "{everything:?}"
    );
    let mut ben_api = server.connect(&ben_token).await;
    let for_ben = notifications_of(&mut ben_api, &id).await;
    assert!(for_ben.is_empty(), "Ben sees nothing of Ana's: {for_ben:?}");
    server.stop();
}

async fn incident_records_reports_and_preventive_actions(backend: &Backend) {
    let agent = backend.token("agent");
    let supervisor = backend.token("supervisor");
    let server = Server::start(backend);
    let mut api = server.connect(&agent).await;
    let mut complaint = chinese_case();
    complaint["cause"] = json!("courier");
    let id = open_case(&mut api, &complaint).await;
    let record = json!({"problem": "Refund late <b>", "discussions": ["Offered a voucher, refused"], "solution": "Refunded"});
    api.put_json(&format!("/api/v1/cases/{id}/incident-record"), &record)
        .await
        .unwrap()
        .expect(200);

    // RO-11 as documents.
    let path = format!("/api/v1/cases/{id}/incident-record");
    let markdown = api.get(&path).await.unwrap();
    assert_eq!(markdown.status, 200);
    assert!(markdown.content_type().starts_with("text/markdown"));
    let text = String::from_utf8_lossy(&markdown.body);
    assert!(text.contains("Offered a voucher, refused"), "{text}");
    let html = api.get(&format!("{path}?format=html")).await.unwrap();
    assert!(html.content_type().starts_with("text/html"));
    let text = String::from_utf8_lossy(&html.body);
    assert!(
        text.contains("Refund late &lt;b&gt;"),
        "typed text is escaped: {text}"
    );
    assert_problem(
        &api.get(&format!("{path}?format=pdf")).await.unwrap(),
        400,
        Some("format"),
    );
    assert_problem(
        &api.get("/api/v1/cases/C-999999/incident-record")
            .await
            .unwrap(),
        404,
        None,
    );

    // The report: supervisors; JSON, or CSV by parameter or Accept header.
    assert_problem(&api.get("/api/v1/reports").await.unwrap(), 403, None);
    let mut boss = server.connect(&supervisor).await;
    let report = boss.get("/api/v1/reports?since=30d").await.unwrap();
    assert_eq!(report.content_type(), "application/json");
    let report = report.expect(200);
    assert_eq!(report["cases"], 1, "{report}");
    assert_eq!(report["by_cause"][0]["cause"], "courier", "{report}");
    let csv = boss.get("/api/v1/reports?format=csv").await.unwrap();
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"));
    let by_header = boss
        .send_with(
            Method::GET,
            "/api/v1/reports",
            &[("accept", "text/csv")],
            None,
        )
        .await
        .unwrap();
    assert!(by_header.content_type().starts_with("text/csv"));
    for body in [&csv.body, &by_header.body] {
        let text = String::from_utf8_lossy(body);
        assert!(text.contains("cases,this_period,1"), "{text}");
    }
    for (query, field) in [
        ("since=30x", "since"),
        ("since=yesterday", "since"),
        ("format=pdf", "format"),
        ("sinse=30d", "sinse"),
    ] {
        let reply = boss.get(&format!("/api/v1/reports?{query}")).await.unwrap();
        let problem = assert_problem(&reply, 400, Some(field));
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "{problem}"
        );
    }

    // CLEAR-R3: preventive actions, created and followed up by supervisors.
    let action = json!({"cause": "courier", "description": "Weekly call with the carrier about late parcels", "owner": "Ana Pop", "due_on": "2026-12-31"});
    assert_problem(
        &api.post_json("/api/v1/preventive-actions", &action)
            .await
            .unwrap(),
        403,
        None,
    );
    let created = boss
        .post_json("/api/v1/preventive-actions", &action)
        .await
        .unwrap()
        .expect(201);
    assert_eq!(created["status"], "open");
    let patch = format!("/api/v1/preventive-actions/{}", created["id"]);
    let done = boss
        .patch_json(&patch, &json!({"status": "done"}))
        .await
        .unwrap();
    assert_eq!(done.expect(200)["status"], "done");
    let mut bad_cause = action.clone();
    bad_cause["cause"] = json!("weather");
    for (body, status, field) in [
        (bad_cause, 422, "cause"),
        (
            json!({"cause": "courier", "description": "x", "owner": "x", "due_on": "31/12/2026"}),
            400,
            "due_on",
        ),
        (
            json!({"cause": "courier", "description": "x", "owner": " ", "due_on": "2026-12-31"}),
            422,
            "owner",
        ),
    ] {
        let reply = boss
            .post_json("/api/v1/preventive-actions", &body)
            .await
            .unwrap();
        assert_problem(&reply, status, Some(field));
    }
    let reply = boss
        .patch_json(&patch, &json!({"status": "finished"}))
        .await
        .unwrap();
    assert_problem(&reply, 400, Some("status"));
    let reply = boss
        .patch_json(
            "/api/v1/preventive-actions/999999",
            &json!({"status": "done"}),
        )
        .await
        .unwrap();
    assert_problem(&reply, 404, None);
    let actions = api
        .get("/api/v1/preventive-actions")
        .await
        .unwrap()
        .expect(200);
    assert_eq!(actions["items"].as_array().unwrap().len(), 1, "{actions}");
    assert_eq!(actions["items"][0]["status"], "done");

    // TL-10: a threatened agent flags the case; supervisors are told, an agent sees only what
    // is addressed to them.
    let mut threat = chinese_case();
    threat["safety_flag"] = json!(true);
    let flagged = open_case(&mut api, &threat).await;
    let path = format!("/api/v1/notifications?case={flagged}");
    let alert = eventually(&mut boss, &path, "safety notification", |page| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "safety")
            .cloned()
    })
    .await;
    assert_eq!(alert["recipient"], "supervisor", "{alert}");
    let own = api.get(&path).await.unwrap().expect(200);
    assert_eq!(own["items"], json!([]), "{own}");

    // Job runs are for admins.
    assert_problem(
        &boss.get("/api/v1/admin/job-runs").await.unwrap(),
        403,
        None,
    );
    server.stop();

    // The same report from the command line, on the same database.
    let csv_cli = backend.run(&["report", "--since", "30d", "--format", "csv"]);
    assert!(csv_cli.status.success(), "{csv_cli:?}");
    let text = String::from_utf8_lossy(&csv_cli.stdout);
    assert!(text.contains("cases,this_period,2"), "{text}");
    let json_cli = backend.run(&["report", "--since", "30d"]);
    assert!(json_cli.status.success(), "{json_cli:?}");
    let parsed: Value = serde_json::from_slice(&json_cli.stdout).expect("the report is JSON");
    assert_eq!(parsed["cases"], 2, "{parsed}");
    assert_eq!(
        parsed["preventive_actions"][0]["status"], "done",
        "{parsed}"
    );
    let bad = backend.run(&["report", "--since", "30x"]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--since"), "{stderr}");
}

/// The secret at the end of the link in the engine's confirmation request.
fn feedback_secret(case: &Value) -> Option<String> {
    engine_messages(case).iter().find_map(|m| {
        let body = m["body"].as_str()?;
        let start = body.find("/feedback/")? + "/feedback/".len();
        let secret: String = body[start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        (!secret.is_empty()).then_some(secret)
    })
}

async fn post_body(api: &mut Connection, path: &str, content_type: &str, body: &str) -> Reply {
    let headers = [("content-type", content_type)];
    let body = Some(body.as_bytes().to_vec());
    api.send_with(Method::POST, path, &headers, body)
        .await
        .unwrap()
}

/// RO-10 without an account: a proposed resolution sends the customer a link; the page speaks
/// their language; the answer is taken once; the engine then resolves the case.
async fn the_customer_confirms_through_the_feedback_page(backend: &Backend) {
    let token = backend.token("agent");
    let server = Server::start(backend);
    let mut api = server.connect(&token).await;
    let greek = json!({
        "customer": {"name": "Ελένη Παπαδοπούλου", "email": "eleni@example.gr"},
        "channel": "email",
        "subject": "Χρεώθηκα δύο φορές",
        "message": "Η κάρτα μου χρεώθηκε δύο φορές για την ίδια παραγγελία."
    });
    let id = open_case(&mut api, &greek).await;
    let case_path = format!("/api/v1/cases/{id}");
    eventually(&mut api, &case_path, "acknowledged", |case| {
        (case["status"] == "acknowledged").then_some(())
    })
    .await;
    for to in ["investigating", "resolution_proposed"] {
        api.post_json(&format!("{case_path}/transitions"), &json!({"to": to}))
            .await
            .unwrap()
            .expect(200);
    }
    let secret = eventually(
        &mut api,
        &case_path,
        "confirmation request",
        feedback_secret,
    )
    .await;

    // The page: no token, the customer's language, the question with the case id.
    let mut customer = Connection::open(server.address).await.unwrap();
    let page_path = format!("/feedback/{secret}");
    let page = customer.get(&page_path).await.unwrap();
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains("<html lang=\"el\">"), "{html}");
    assert!(html.contains(&id), "{html}");
    assert!(html.contains("Όχι ακόμη"), "{html}");

    // Bad answers are refused and change nothing.
    const FORM: &str = "application/x-www-form-urlencoded";
    for (content_type, body, status, field) in [
        (FORM, "confirmed=maybe", 400, "confirmed"),
        (FORM, "score=4", 422, "confirmed"),
        ("text/plain", "confirmed=yes", 415, "content-type"),
    ] {
        let reply = post_body(&mut customer, &page_path, content_type, body).await;
        assert_problem(&reply, status, Some(field));
    }
    let unknown = customer.get("/feedback/0123abcd").await.unwrap();
    assert_problem(&unknown, 404, None);

    // The answer, as the page's form sends it: a thank-you page.
    let answer = "confirmed=yes&comment=Ευχαριστώ%2C+όλα+καλά";
    let thanks = post_body(&mut customer, &page_path, FORM, answer).await;
    assert_eq!(
        thanks.status,
        200,
        "{}",
        String::from_utf8_lossy(&thanks.body)
    );
    assert!(String::from_utf8_lossy(&thanks.body).contains("Σας ευχαριστούμε"));
    let twice = customer
        .post_json(&page_path, &json!({"confirmed": false}))
        .await
        .unwrap();
    assert_problem(&twice, 409, None);
    let answered = customer.get(&page_path).await.unwrap();
    assert!(String::from_utf8_lossy(&answered.body).contains("Έχουμε ήδη λάβει"));

    // RO-10: confirmed, so the engine resolves the case (total).
    let case = eventually(&mut api, &case_path, "resolved", |case| {
        (case["status"] == "resolved").then(|| case.clone())
    })
    .await;
    assert_eq!(case["resolution"], "confirmed", "{case}");
    server.stop();
}

/// A complaint by phone and the agent's answer with a promise; returns the case id.
async fn complaint_with_promise(api: &mut Connection, n: usize) -> String {
    let body = json!({
        "customer": {"name": format!("Customer {n}"), "email": format!("c{n}@example.com")},
        "channel": "phone",
        "language": "en",
        "subject": format!("Parcel {n} never arrived"),
        "message": "My parcel never arrived and nobody answers the phone."
    });
    let id = open_case(api, &body).await;
    let promise = json!({"direction": "outbound", "body": "I'll call you back within 10 minutes."});
    api.post_json(&format!("/api/v1/cases/{id}/messages"), &promise)
        .await
        .unwrap()
        .expect(201);
    id
}

/// Nothing lost: the case was acknowledged once and its promise became one commitment.
async fn acknowledged_once_with_its_commitment(api: &mut Connection, id: &str) {
    let case_path = format!("/api/v1/cases/{id}");
    let case = eventually(api, &case_path, "acknowledgement", |case| {
        (!engine_messages(case).is_empty()).then(|| case.clone())
    })
    .await;
    assert_eq!(
        engine_messages(&case).len(),
        1,
        "one acknowledgement: {case}"
    );
    let commitments_path = format!("{case_path}/commitments");
    let commitments = eventually(api, &commitments_path, "commitment", |list| {
        (!list["items"].as_array().unwrap().is_empty()).then(|| list.clone())
    })
    .await;
    let items = commitments["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{commitments}");
}

/// The job runs since `since` once the runners are quiet: nothing due is left (only timers
/// minutes or days ahead) and no run was added for a second (`next_job_at` is also the lease
/// end of a job still running).
async fn runs_when_quiet(api: &mut Connection, since: Timestamp) -> Vec<Value> {
    let runs_path = format!("/api/v1/admin/job-runs?since={since}&limit=200");
    let mut seen = usize::MAX;
    loop {
        let runs = eventually(api, &runs_path, "nothing due", |runs| {
            let next = runs["next_job_at"].as_str()?;
            (next.parse::<Timestamp>().ok()? > Timestamp::now()).then(|| runs.clone())
        })
        .await;
        let runs = all_job_runs(api, since, runs).await;
        if runs.len() == seen {
            return runs;
        }
        seen = runs.len();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Every run since `since`: `first` and the pages after it (the list is cursor-paged).
async fn all_job_runs(api: &mut Connection, since: Timestamp, first: Value) -> Vec<Value> {
    let mut runs = first["items"].as_array().unwrap().clone();
    let mut next = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(cursor) = next {
        let path = format!("/api/v1/admin/job-runs?since={since}&limit=200&cursor={cursor}");
        let page = api.get(&path).await.unwrap().expect(200);
        runs.extend(page["items"].as_array().unwrap().iter().cloned());
        next = page["next_cursor"].as_str().map(str::to_owned);
    }
    runs
}

/// Jobs per second from the first claim to the last finish, how late jobs were claimed after
/// they fell due, and how the work was shared.
fn timings(runs: &[Value]) -> String {
    let mut delays: Vec<f64> = runs
        .iter()
        .map(|run| {
            let (due, claimed) = (instant(&run["due_at"]), instant(&run["claimed_at"]));
            claimed.duration_since(due).as_secs_f64() * 1e3
        })
        .collect();
    delays.sort_by(f64::total_cmp);
    let first_claim = runs
        .iter()
        .map(|r| instant(&r["claimed_at"]))
        .min()
        .unwrap();
    let last_finish = runs
        .iter()
        .map(|r| instant(&r["finished_at"]))
        .max()
        .unwrap();
    let busy = last_finish.duration_since(first_claim).as_secs_f64();
    let percentile = |p: f64| delays[((delays.len() - 1) as f64 * p).round() as usize];
    let mut by_worker = std::collections::BTreeMap::new();
    for run in runs {
        *by_worker
            .entry(run["worker"].as_str().unwrap())
            .or_insert(0) += 1;
    }
    format!(
        "{} job runs in {busy:.2} s = {:.0} jobs/s; due→claimed p50 {:.0} ms, p95 {:.0} ms, \
         p99 {:.0} ms, max {:.0} ms; runs by worker {by_worker:?}",
        runs.len(),
        runs.len() as f64 / busy,
        percentile(0.5),
        percentile(0.95),
        percentile(0.99),
        percentile(1.0),
    )
}

/// Issue 4's second "done when": two `serve` processes on one PostgreSQL database, cases created
/// through both, each with a promise. Every case gets exactly one acknowledgement and its
/// commitment (nothing lost), and no job generation finishes Done twice (nothing run twice).
/// The job runs also give the engine's throughput under a burst and, with a paced load
/// afterwards, how late a due job starts (printed for BENCHMARKS.md, not asserted).
#[tokio::test]
async fn two_servers_on_one_postgres_run_every_job_exactly_once() {
    const CASES: usize = 200;
    const CLIENTS: usize = 8;
    const PACED_CASES: usize = 40;
    const PACE: Duration = Duration::from_millis(250);
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let token = backend.token("admin");
    let servers = [Server::start(&backend), Server::start(&backend)];
    let started = Timestamp::now();

    // A burst: 8 clients, 4 on each server, as fast as they can.
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let address = servers[client % 2].address;
        let token = token.clone();
        clients.spawn(async move {
            let mut api = Connection::open(address).await.unwrap().with_token(token);
            let mut ids = Vec::new();
            for n in (client..CASES).step_by(CLIENTS) {
                ids.push(complaint_with_promise(&mut api, n).await);
            }
            ids
        });
    }
    let mut ids = Vec::new();
    while let Some(created) = clients.join_next().await {
        ids.extend(created.unwrap());
    }
    assert_eq!(ids.len(), CASES);
    let created = Timestamp::now();
    let mut api = servers[0].connect(&token).await;
    for id in &ids {
        acknowledged_once_with_its_commitment(&mut api, id).await;
    }
    let burst = runs_when_quiet(&mut api, started).await;

    // Then a steady trickle, alternating servers: how late does a due job start when the
    // runners keep up?
    let paced_start = Timestamp::now();
    let mut apis = [
        servers[0].connect(&token).await,
        servers[1].connect(&token).await,
    ];
    let mut paced = Vec::new();
    for n in 0..PACED_CASES {
        paced.push(complaint_with_promise(&mut apis[n % 2], CASES + n).await);
        tokio::time::sleep(PACE).await;
    }
    for id in &paced {
        acknowledged_once_with_its_commitment(&mut api, id).await;
    }
    let trickle = runs_when_quiet(&mut api, paced_start).await;

    // Nothing twice: each (job, generation) finished Done at most once.
    let runs = runs_when_quiet(&mut api, started).await;
    let mut done = std::collections::BTreeMap::new();
    for run in runs.iter().filter(|r| r["outcome"]["outcome"] == "done") {
        let job = (
            run["job_id"].as_i64().unwrap(),
            run["generation"].as_i64().unwrap(),
        );
        *done.entry(job).or_insert(0) += 1;
    }
    let twice: Vec<_> = done.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "finished Done more than once: {twice:?}");
    let failed: Vec<&Value> = runs
        .iter()
        .filter(|run| run["outcome"]["outcome"] == "failed")
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let workers: std::collections::BTreeSet<&str> = runs
        .iter()
        .map(|run| run["worker"].as_str().unwrap())
        .collect();
    assert_eq!(workers.len(), 2, "both processes ran jobs: {workers:?}");

    eprintln!(
        "burst: {CASES} cases ({} requests, {CLIENTS} clients) in {:.2} s; {}",
        CASES * 2,
        created.duration_since(started).as_secs_f64(),
        timings(&burst)
    );
    eprintln!(
        "paced: {PACED_CASES} cases, one every {PACE:?}; {}",
        timings(&trickle)
    );
    for server in servers {
        server.stop();
    }
    backend.cleanup().await;
}

/// A server whose answers are due within 4 s of business time on a 24/7 calendar (warning at
/// 2 s), so the engine's SLA steps happen during a test; `extra` adds to `[engine]`.
fn fast_sla_config(dir: &std::path::Path, extra: &str) -> String {
    let days: String = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .iter()
    .map(|day| format!("{day} = [\"00:00-24:00\"]\n"))
    .collect();
    let config = format!(
        "[engine]\n{extra}\n[engine.calendar]\ntime_zone = \"UTC\"\n[engine.calendar.hours]\n{days}\
         [engine.sla]\nwarning_percent = 50\n[[engine.sla.policies]]\nname = \"fast\"\n\
         resolution = \"4s\"\n"
    );
    let path = dir.join("calmdesk.toml");
    std::fs::write(&path, config).unwrap();
    path.to_string_lossy().into_owned()
}

/// The delay notice draft of `case`, once the engine has written it.
async fn delay_draft(api: &mut Connection, case: &str) -> Value {
    let path = format!("/api/v1/notifications?case={case}");
    eventually(api, &path, "the delay notice draft", |page| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "delay_notice_approval")
            .cloned()
    })
    .await
}

/// TL-8 with approval: the drafted delay notice reaches the agent; only the agent who has the
/// case (or a supervisor) sends it, once, in their words; refusals are problems in the caller's
/// language.
async fn an_agent_sends_the_drafted_delay_notice(backend: &Backend) {
    let admin = backend.token("admin");
    let config_dir = tempfile::tempdir().unwrap();
    let config = fast_sla_config(config_dir.path(), "delay_notices = \"approval\"");
    let server = Server::start_with(backend, &[("CALMDESK_CONFIG", &config)]);
    let mut boss = server.connect(&admin).await;
    let ana = create_agent(&mut boss, "Ana Pop").await;
    let ben = create_agent(&mut boss, "Ben Lee").await;
    let mut tokens = Vec::new();
    for (name, agent) in [("ana", ana), ("ben", ben)] {
        let body = json!({"name": name, "role": "agent", "agent_id": agent});
        let issued = boss.post_json("/api/v1/tokens", &body).await.unwrap();
        tokens.push(issued.expect(201)["token"].as_str().unwrap().to_owned());
    }
    let mut ana_api = server.connect(&tokens[0]).await;
    let mut ben_api = server.connect(&tokens[1]).await;

    let id = open_case(&mut ana_api, &chinese_case()).await;
    let other = open_case(&mut ana_api, &chinese_case()).await;
    let assignment = json!({"agent_id": ana, "department_id": null});
    for case in [&id, &other] {
        // After the engine's own routing, which would otherwise race the assignment.
        acknowledgement(&mut boss, case).await;
        boss.put_json(&format!("/api/v1/cases/{case}/assignment"), &assignment)
            .await
            .unwrap()
            .expect(200);
    }
    let draft = delay_draft(&mut ana_api, &id).await;
    assert_eq!(draft["recipient"], format!("agent:{ana}"), "{draft}");
    let warning = notifications_of(&mut boss, &id)
        .await
        .into_iter()
        .find(|n| n["kind"] != "delay_notice_approval")
        .expect("the SLA warning");
    let send = |case: &str, notification: &Value| {
        format!("/api/v1/cases/{case}/delay-notices/{notification}/send")
    };
    let greek = [
        ("content-type", "application/json"),
        ("accept-language", "el"),
    ];

    // Ben does not have the case: refused, in Greek when asked.
    let reply = ben_api
        .send_with(Method::POST, &send(&id, &draft["id"]), &greek, None)
        .await
        .unwrap();
    let problem = assert_problem(&reply, 403, None);
    assert_eq!(problem["type"], "urn:calmdesk:problem:not-case-owner");
    assert_eq!(problem["title"], "Δεν είναι δική σας υπόθεση", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains(&id),
        "{problem}"
    );
    // Not a delay draft; a draft of another case; a path that is no id.
    let reply = ana_api
        .post_json(&send(&id, &warning["id"]), &json!({}))
        .await
        .unwrap();
    let problem = assert_problem(&reply, 422, Some("notification_id"));
    assert_eq!(problem["type"], "urn:calmdesk:problem:not-a-delay-draft");
    let reply = ana_api
        .post_json(&send(&other, &draft["id"]), &json!({}))
        .await
        .unwrap();
    let problem = assert_problem(&reply, 422, Some("notification_id"));
    assert!(
        problem["detail"].as_str().unwrap().contains(&other),
        "{problem}"
    );
    let reply = ana_api
        .post_json(&send(&id, &json!(0)), &json!({}))
        .await
        .unwrap();
    assert_problem(&reply, 400, Some("notification_id"));
    let case = boss
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(engine_messages(&case).len(), 1, "only the acknowledgement");

    // Ana sends it in her words: one outbound message, and the new date is a promise.
    let words = "We need two more days to finish checking your refund; sorry for the wait.";
    let reply = ana_api
        .post_json(&send(&id, &draft["id"]), &json!({"body": words}))
        .await
        .unwrap();
    let sent = reply.expect(200);
    assert_eq!(sent["message"]["body"], words, "{sent}");
    assert_eq!(sent["commitment"]["kind"], "answer", "{sent}");
    assert_eq!(sent["commitment"]["made_by"], "ana", "{sent}");
    assert!(instant(&sent["commitment"]["due_at"]) > Timestamp::now());
    let reply = ana_api
        .send(Method::POST, &send(&id, &draft["id"]), None)
        .await
        .unwrap();
    let problem = assert_problem(&reply, 409, None);
    assert_eq!(problem["type"], "urn:calmdesk:problem:delay-notice-sent");
    let sent_at = sent["message"]["created_at"].as_str().unwrap();
    assert!(
        !problem["detail"].as_str().unwrap().contains(sent_at),
        "the time as people write it: {problem}"
    );
    let case = boss
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .unwrap()
        .expect(200);
    let sent_words: Vec<&Value> = case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["body"] == words)
        .collect();
    assert_eq!(sent_words.len(), 1, "{case}");
    let commitments = boss
        .get(&format!("/api/v1/cases/{id}/commitments"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(
        commitments["items"].as_array().unwrap().len(),
        1,
        "{commitments}"
    );

    // An agent's notifications come in full pages of their own (filtered in the query).
    let mine = format!("agent:{ana}");
    let first = ana_api
        .get(&format!("/api/v1/notifications?case={id}&limit=1"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(first["items"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(first["items"][0]["recipient"], mine.as_str(), "{first}");
    let cursor = first["next_cursor"]
        .as_str()
        .expect("Ana has more than one");
    let second = ana_api
        .get(&format!(
            "/api/v1/notifications?case={id}&limit=1&cursor={cursor}"
        ))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(second["items"][0]["recipient"], mine.as_str(), "{second}");
    assert_ne!(second["items"][0]["id"], first["items"][0]["id"]);

    // Job runs are cursor-paged like the other lists.
    let first = boss
        .get("/api/v1/admin/job-runs?limit=1")
        .await
        .unwrap()
        .expect(200);
    assert_eq!(first["items"].as_array().unwrap().len(), 1, "{first}");
    let cursor = first["next_cursor"].as_str().expect("more than one run");
    let second = boss
        .get(&format!("/api/v1/admin/job-runs?limit=1&cursor={cursor}"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(second["items"].as_array().unwrap().len(), 1, "{second}");
    assert_ne!(second["items"][0], first["items"][0]);
    assert!(second["next_job_at"].is_string() || second["next_job_at"].is_null());

    // The other case's draft, once the case is resolved, is out of date: refused, nothing sent.
    let other_draft = delay_draft(&mut ana_api, &other).await;
    let transitions = format!("/api/v1/cases/{other}/transitions");
    for to in [
        json!({"to": "investigating"}),
        json!({"to": "resolution_proposed"}),
        json!({"to": "resolved", "resolution": "confirmed"}),
    ] {
        let reply = ana_api.post_json(&transitions, &to).await.unwrap();
        assert_eq!(reply.expect(200)["status"], to["to"]);
    }
    let reply = ana_api
        .send_with(
            Method::POST,
            &send(&other, &other_draft["id"]),
            &greek,
            None,
        )
        .await
        .unwrap();
    let problem = assert_problem(&reply, 409, None);
    assert_eq!(
        problem["type"],
        "urn:calmdesk:problem:delay-notice-outdated"
    );
    assert_eq!(
        problem["title"], "Η ειδοποίηση καθυστέρησης δεν ισχύει πια",
        "{problem}"
    );
    let promises = boss
        .get(&format!("/api/v1/cases/{other}/commitments"))
        .await
        .unwrap()
        .expect(200);
    let promises = promises["items"].as_array().unwrap();
    assert!(promises.is_empty(), "no notice, no promise: {promises:?}");
    server.stop();
}

/// RO-11 over HTTP: discussions as texts and offers; the document labels offers in the agent's
/// language; a bad outcome is refused naming its path; the record exports and imports unchanged.
async fn incident_records_carry_offers(backend: &Backend) {
    let admin = backend.token("admin");
    let server = Server::start(backend);
    let mut api = server.connect(&admin).await;
    let body = json!({"name": "Eleni Papadopoulou", "role": "agent", "languages": ["el"]});
    let eleni = api
        .post_json("/api/v1/agents", &body)
        .await
        .unwrap()
        .expect(201)["id"]
        .clone();
    let id = open_case(&mut api, &chinese_case()).await;
    let assignment = json!({"agent_id": eleni, "department_id": null});
    api.put_json(&format!("/api/v1/cases/{id}/assignment"), &assignment)
        .await
        .unwrap()
        .expect(200);
    let path = format!("/api/v1/cases/{id}/incident-record");
    let bad = json!({"problem": "Double charge", "discussions": ["Called back", {"text": "Voucher", "offer": "maybe"}]});
    let reply = api.put_json(&path, &bad).await.unwrap();
    assert_problem(&reply, 400, Some("discussions[1].offer"));
    let record = json!({
        "problem": "Double charge",
        "discussions": [
            "Called back within 10 minutes",
            {"text": "A 20 EUR voucher", "offer": "refused"},
            {"text": "A full refund", "offer": "accepted"}
        ],
        "solution": "Refunded"
    });
    let stored = api.put_json(&path, &record).await.unwrap().expect(200);
    assert_eq!(stored["discussions"], record["discussions"], "{stored}");
    let markdown = api.get(&format!("{path}?format=markdown")).await.unwrap();
    let markdown = String::from_utf8(markdown.body.to_vec()).unwrap();
    assert!(
        markdown.contains("- *προσφορά που απέρριψε ο πελάτης* — A 20 EUR voucher"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- Called back within 10 minutes\n"),
        "{markdown}"
    );
    let case = api
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(
        case["incident_record"]["discussions"],
        record["discussions"]
    );
    server.stop();

    // Export, import elsewhere, export again: the same bytes.
    let exported = backend.run(&["export", "--jsonl"]);
    assert!(exported.status.success(), "{exported:?}");
    assert!(
        String::from_utf8_lossy(&exported.stdout)
            .contains(r#"{"text":"A 20 EUR voucher","offer":"refused"}"#),
        "{exported:?}"
    );
    let target = Backend::sqlite();
    let file = target.args()[1].clone() + "/export.jsonl";
    std::fs::write(&file, &exported.stdout).unwrap();
    let imported = target.run(&["import", "--jsonl", "--input", &file]);
    assert!(imported.status.success(), "{imported:?}");
    let again = target.run(&["export", "--jsonl"]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        String::from_utf8_lossy(&exported.stdout)
    );
    target.cleanup().await;
}
