//! End-to-end: the real `calmdesk` binary serving HTTP on a real database, on SQLite and on
//! PostgreSQL. Each scenario runs on both backends (see `on_both_backends!`).

mod support;

use calmdesk::http_client::{Connection, Reply};
use hyper::Method;
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
    server.stop();

    let server = Server::start(backend);
    let mut api = server.connect(&token).await;
    assert_eq!(search(&mut api, "退款").await, vec![id.clone()]);
    let case = api
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(case["status"], "received");
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
    assert_eq!(problem["allowed"], json!(["acknowledged"]));

    // None of the refused requests left anything behind.
    let list = api.get("/api/v1/cases").await.unwrap().expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let case = api
        .get(&format!("/api/v1/cases/{id}"))
        .await
        .unwrap()
        .expect(200);
    assert_eq!(case["messages"].as_array().unwrap().len(), 1);
    assert_eq!(case["status"], "received");
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

    for to in [
        "acknowledged",
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
    assert_eq!(case["messages"].as_array().unwrap().len(), 2);

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
