//! Realistic complaints in the six languages, for `dev seed` and the load benchmark. Generated
//! deterministically from an index, so a run can be reproduced.

use anyhow::Result;
use app::App;
use domain::{Actor, Channel, NewCase, NewCustomer, Role};
use tokio::task::JoinSet;

struct Complaint {
    subject: &'static str,
    message: &'static str,
    category: &'static str,
    remedy: &'static str,
}

struct Language {
    tag: &'static str,
    names: [&'static str; 5],
    complaints: [Complaint; 5],
}

const fn c(
    subject: &'static str,
    message: &'static str,
    category: &'static str,
    remedy: &'static str,
) -> Complaint {
    Complaint {
        subject,
        message,
        category,
        remedy,
    }
}

/// `{n}` in a subject or message is replaced by an order number.
const LANGUAGES: [Language; 6] = [
    Language {
        tag: "en",
        names: [
            "Sarah Mitchell",
            "James O'Connor",
            "Priya Patel",
            "Daniel Hughes",
            "Emily Carter",
        ],
        complaints: [
            c(
                "Refund still not received for order {n}",
                "I returned the blender on the 3rd and was promised a refund within five working days. It has now been two weeks and nothing has arrived. Please tell me when I will get my money back.",
                "billing",
                "refund",
            ),
            c(
                "Parcel marked delivered but never arrived",
                "The tracking for order {n} says it was delivered yesterday at 14:10, but nothing was left at my door and my neighbours have not seen it. I need this sorted before the weekend.",
                "delivery",
                "replacement",
            ),
            c(
                "Charged twice for the same subscription",
                "My card was charged £12.99 twice this month for one subscription. I want the duplicate payment reversed.",
                "billing",
                "refund",
            ),
            c(
                "Rude answer from your call centre",
                "I called about my broken washing machine and the agent hung up on me after telling me it was my own fault. I expect an apology and a technician visit.",
                "service",
                "apology",
            ),
            c(
                "Internet down for three days",
                "My broadband has been down since Monday. I work from home and have lost three days of work. Nobody called back as promised.",
                "technical",
                "compensation",
            ),
        ],
    },
    Language {
        tag: "ro",
        names: [
            "Andreea Popescu",
            "Mihai Ionescu",
            "Ioana Dumitrescu",
            "Ștefan Constantin",
            "Elena Marinescu",
        ],
        complaints: [
            c(
                "Rambursarea pentru comanda {n} nu a ajuns",
                "Am returnat aspiratorul acum trei săptămâni și încă nu am primit banii înapoi. Vă rog să-mi spuneți când se face rambursarea.",
                "billing",
                "refund",
            ),
            c(
                "Colet lăsat la altă adresă",
                "Curierul a lăsat coletul cu comanda {n} la o adresă greșită și acum nimeni nu știe unde este. Aștept fie coletul, fie banii.",
                "delivery",
                "replacement",
            ),
            c(
                "Factură greșită luna aceasta",
                "Factura pe luna aceasta este de două ori mai mare decât de obicei, deși consumul a fost același. Solicit recalcularea facturii.",
                "billing",
                "correction",
            ),
            c(
                "Telefon defect dupa o saptamana",
                "Telefonul cumparat saptamana trecuta nu mai porneste deloc. Vreau sa fie inlocuit cat mai repede, am nevoie de el pentru serviciu.",
                "product",
                "replacement",
            ),
            c(
                "Nu răspunde nimeni la telefon",
                "Am sunat de cinci ori la serviciul clienți și de fiecare dată am așteptat peste 30 de minute fără să răspundă cineva. Este inadmisibil.",
                "service",
                "apology",
            ),
        ],
    },
    Language {
        tag: "zh-Hans",
        names: ["王丽", "李强", "张伟", "刘洋", "陈静"],
        complaints: [
            c(
                "订单{n}的退款迟迟没有到账",
                "我两周前就把耳机寄回去了，客服说五个工作日内退款，可是到现在还没收到。我要退款，请尽快处理。",
                "billing",
                "refund",
            ),
            c(
                "物流显示已签收但我没收到",
                "订单{n}的物流显示昨天已经签收，可是我根本没有收到包裹，门卫也说没见过。请帮我查一下。",
                "delivery",
                "replacement",
            ),
            c(
                "同一笔订单被扣了两次钱",
                "我只下了一单，信用卡却被扣了两次款。请把多扣的钱退给我。",
                "billing",
                "refund",
            ),
            c(
                "客服态度非常差",
                "我打电话问洗衣机维修的事，客服很不耐烦，直接挂了我的电话。我希望得到道歉，并尽快安排师傅上门。",
                "service",
                "apology",
            ),
            c(
                "家里断网三天了",
                "宽带从周一开始就连不上，我在家办公，已经耽误了三天工作。说好给我回电话，结果一直没人联系我。",
                "technical",
                "compensation",
            ),
        ],
    },
    Language {
        tag: "zh-Hant",
        names: ["陳怡君", "林志明", "黃美玲", "張家豪", "吳淑芬"],
        complaints: [
            c(
                "訂單{n}的退款一直沒有入帳",
                "我兩個星期前已經把耳機寄回去，客服說五個工作天內會退款，到現在還沒收到。我要退款，請盡快處理。",
                "billing",
                "refund",
            ),
            c(
                "包裹顯示已送達但我沒收到",
                "訂單{n}的物流顯示昨天已經送達，可是我完全沒有收到包裹，管理員也說沒看到。麻煩幫我查一下。",
                "delivery",
                "replacement",
            ),
            c(
                "同一筆訂單被重複扣款",
                "我只下了一張訂單，信用卡卻被扣了兩次款。請把多扣的錢退還給我。",
                "billing",
                "refund",
            ),
            c(
                "客服態度很差",
                "我打電話詢問洗衣機維修的事，客服很不耐煩地掛了我電話。我希望得到道歉，並盡快安排技師到府維修。",
                "service",
                "apology",
            ),
            c(
                "家裡網路斷線三天",
                "從星期一開始網路就連不上，我在家工作，已經耽誤了三天。說好會回電，結果一直沒有人聯絡我。",
                "technical",
                "compensation",
            ),
        ],
    },
    Language {
        tag: "tl",
        names: [
            "Maria Santos",
            "Jose Reyes",
            "Ana Cruz",
            "Mark Bautista",
            "Liza Mendoza",
        ],
        complaints: [
            c(
                "Hindi pa rin naibabalik ang refund ng order {n}",
                "Ibinalik ko na po ang blender noong isang linggo pa, at sabi ng customer service ay maibabalik ang pera ko sa loob ng limang araw. Hanggang ngayon wala pa rin po. Kailan ko po makukuha ang refund?",
                "billing",
                "refund",
            ),
            c(
                "Delivered daw pero walang dumating",
                "Sa tracking ng order {n}, delivered na raw kahapon, pero wala namang dumating sa bahay namin. Pakicheck po agad, kailangan ko na ito.",
                "delivery",
                "replacement",
            ),
            c(
                "Dalawang beses akong siningil",
                "Dalawang beses pong na-charge ang card ko para sa iisang subscription ngayong buwan. Pakibalik po ang sobrang bayad.",
                "billing",
                "refund",
            ),
            c(
                "Bastos ang sumagot sa hotline",
                "Tumawag ako tungkol sa sirang washing machine at binabaan lang ako ng telepono ng ahente. Gusto ko ng paumanhin at ng technician na pupunta sa bahay.",
                "service",
                "apology",
            ),
            c(
                "Tatlong araw nang walang internet",
                "Mula Lunes wala na kaming internet. Work from home ako kaya tatlong araw na akong hindi makapagtrabaho. Nangako kayong tatawag pero walang tumawag.",
                "technical",
                "compensation",
            ),
        ],
    },
    Language {
        tag: "el",
        names: [
            "Γιώργος Παπαδόπουλος",
            "Μαρία Κωνσταντίνου",
            "Νίκος Γεωργίου",
            "Ελένη Δημητρίου",
            "Κώστας Αλεξίου",
        ],
        complaints: [
            c(
                "Δεν έχω λάβει ακόμη την επιστροφή χρημάτων για την παραγγελία {n}",
                "Επέστρεψα το μπλέντερ πριν από δύο εβδομάδες και μου είπαν ότι τα χρήματα θα επιστραφούν σε πέντε εργάσιμες. Ακόμα δεν έχω λάβει τίποτα. Πότε θα γίνει η επιστροφή;",
                "billing",
                "refund",
            ),
            c(
                "Το δέμα φαίνεται παραδομένο αλλά δεν ήρθε ποτέ",
                "Στην παρακολούθηση της παραγγελίας {n} γράφει ότι παραδόθηκε χθες, αλλά δεν άφησαν τίποτα στην πόρτα μου. Παρακαλώ ελέγξτε το άμεσα.",
                "delivery",
                "replacement",
            ),
            c(
                "Χρεώθηκα δύο φορές",
                "Η κάρτα μου χρεώθηκε δύο φορές για την ίδια συνδρομή αυτόν τον μήνα. Ζητώ να μου επιστραφεί η διπλή χρέωση.",
                "billing",
                "refund",
            ),
            c(
                "Αγενής συμπεριφορά στο τηλεφωνικό κέντρο",
                "Τηλεφώνησα για το χαλασμένο πλυντήριο και ο υπάλληλος μου έκλεισε το τηλέφωνο. Περιμένω μια συγγνώμη και να έρθει τεχνικός.",
                "service",
                "apology",
            ),
            c(
                "Χωρίς ίντερνετ εδώ και τρεις μέρες",
                "Από τη Δευτέρα δεν έχω σύνδεση. Δουλεύω από το σπίτι και έχασα τρεις μέρες δουλειάς. Είπατε ότι θα με καλέσετε αλλά κανείς δεν τηλεφώνησε.",
                "technical",
                "compensation",
            ),
        ],
    },
];

const CHANNELS: [Channel; 5] = [
    Channel::Email,
    Channel::Web,
    Channel::Phone,
    Channel::Chat,
    Channel::Review,
];

/// Spreads consecutive indices over languages, complaints and customers (SplitMix64).
fn mix(index: u64) -> u64 {
    let mut z = index.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `index`-th sample complaint: languages in turn, the rest varied by a hash of the index.
/// About one customer in three comes back with another complaint.
pub fn sample_case(index: u64) -> NewCase {
    let hash = mix(index);
    let language = &LANGUAGES[(index % 6) as usize];
    let complaint = &language.complaints[(hash % 5) as usize];
    let order = 100_000 + (hash >> 8) % 900_000;
    let customer_number = (hash >> 32) % (index / 3 + 1);
    let fill = |text: &str| text.replace("{n}", &order.to_string());
    NewCase {
        customer: NewCustomer {
            name: language.names[((hash >> 4) % 5) as usize].to_owned(),
            email: Some(format!(
                "customer{customer_number}.{}@example.com",
                language.tag
            )),
            phone: None,
            language: Some(language.tag.to_owned()),
            annual_value: None,
        },
        channel: CHANNELS[((hash >> 12) % 5) as usize],
        subject: fill(complaint.subject),
        message: fill(complaint.message),
        category: Some(complaint.category.to_owned()),
        cause: None,
        priority: None,
        language: Some(language.tag.to_owned()),
        remedy_sought: Some(complaint.remedy.to_owned()),
        safety_flag: false,
    }
}

/// Creates `count` sample cases through the use cases (so with events and search rows), a few at
/// a time; returns how many were created.
pub async fn seed(app: &App, count: u32) -> Result<u64> {
    const WORKERS: u64 = 4;
    let actor = Actor {
        name: "dev seed".to_owned(),
        role: Role::Admin,
        agent_id: None,
    };
    let mut workers = JoinSet::new();
    for worker in 0..WORKERS {
        let (app, actor) = (app.clone(), actor.clone());
        workers.spawn(async move {
            let mut created = 0u64;
            for index in (worker..u64::from(count)).step_by(WORKERS as usize) {
                app.open_case(&actor, sample_case(index)).await?;
                created += 1;
            }
            Ok::<u64, app::AppError>(created)
        });
    }
    let mut created = 0;
    while let Some(result) = workers.join_next().await {
        created += result??;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_cover_all_six_languages_and_are_valid_commands() {
        let mut tags = std::collections::BTreeSet::new();
        for index in 0..600 {
            let case = sample_case(index).validate().expect("a sample is valid");
            assert!(!case.subject.contains("{n}") && !case.message.contains("{n}"));
            tags.insert(case.language.unwrap());
        }
        let expected: std::collections::BTreeSet<String> =
            domain::LANGUAGES.iter().map(|t| t.to_string()).collect();
        assert_eq!(tags, expected);
    }

    #[test]
    fn samples_are_reproducible() {
        assert_eq!(sample_case(42), sample_case(42));
        assert_ne!(sample_case(42), sample_case(43));
    }

    #[test]
    fn every_complaint_is_used() {
        let used: std::collections::BTreeSet<String> =
            (0..3000).map(|i| sample_case(i).subject).collect();
        // 30 complaints, several with order numbers: at least one subject from each.
        for language in &LANGUAGES {
            for complaint in &language.complaints {
                let stem = complaint.subject.split("{n}").next().unwrap();
                assert!(
                    used.iter().any(|s| s.starts_with(stem)),
                    "{} never used",
                    complaint.subject
                );
            }
        }
    }
}
