//! Realistic multilingual demo and benchmark data (`calmdesk dev seed --cases N`): complaints in
//! all six languages, assembled from hand-written phrases so that subjects and bodies vary, and
//! fully determined by the seed so a benchmark can be repeated on the same data.

use std::sync::Arc;

use domain::{
    Actor, Channel, Direction, Money, NewCase, NewCustomer, NewMessage, Priority, Role, Store,
    StoreError, Timestamp,
};

/// The phrases of one language. `{product}` is the product in the nominative, `{product_acc}`
/// in the accusative (they differ in Greek only), `{order}` an order number, `{days}` a count.
struct Phrases {
    tag: &'static str,
    /// Given names and family names, combined freely (a family name may carry the given name's
    /// gender, so Greek lists them as pairs in `full_names`).
    given: &'static [&'static str],
    family: &'static [&'static str],
    full_names: &'static [&'static str],
    /// Between a given and a family name ("" for Chinese).
    name_joiner: &'static str,
    /// Between sentences ("" for Chinese, which does not space them).
    sentence_joiner: &'static str,
    phone_prefix: &'static str,
    currency: &'static str,
    products: &'static [(&'static str, &'static str)],
    subjects: &'static [&'static str],
    openings: &'static [&'static str],
    /// (category, sentence)
    problems: &'static [(&'static str, &'static str)],
    /// (remedy sought, sentence)
    demands: &'static [(&'static str, &'static str)],
    closings: &'static [&'static str],
    replies: &'static [&'static str],
}

const ENGLISH: Phrases = Phrases {
    tag: "en",
    given: &[
        "James", "Olivia", "Michael", "Emma", "David", "Sophie", "Daniel", "Grace",
    ],
    family: &[
        "Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Hughes", "Clarke",
    ],
    full_names: &[],
    name_joiner: " ",
    sentence_joiner: " ",
    phone_prefix: "+44 7700 9",
    currency: "GBP",
    products: &[
        ("washing machine", "washing machine"),
        ("laptop", "laptop"),
        ("sofa", "sofa"),
        ("phone", "phone"),
        ("coffee maker", "coffee maker"),
        ("winter jacket", "winter jacket"),
        ("TV", "TV"),
        ("bike", "bike"),
    ],
    subjects: &[
        "Broken {product} after one week",
        "Where is my {product}?",
        "Refund for the {product}",
        "Wrong {product} delivered",
        "Still waiting for my {product}",
        "Charged twice for the {product}",
    ],
    openings: &[
        "Hello,",
        "Hi there,",
        "Good afternoon,",
        "To whom it may concern,",
    ],
    problems: &[
        (
            "delivery",
            "I ordered a {product} {days} days ago (order {order}) and it still has not arrived.",
        ),
        (
            "delivery",
            "The delivery is {days} days late and the tracking page has not changed since.",
        ),
        (
            "quality",
            "The {product} from order {order} stopped working after only {days} days.",
        ),
        ("billing", "My card was charged twice for order {order}."),
        (
            "delivery",
            "The courier left a crushed box and the {product} inside is scratched.",
        ),
        (
            "service",
            "I have called your helpline three times and nobody called me back as promised.",
        ),
        (
            "wrong_item",
            "I received the wrong {product}; my order number is {order}.",
        ),
    ],
    demands: &[
        ("refund", "I want a full refund."),
        (
            "replacement",
            "Please send a replacement as soon as possible.",
        ),
        (
            "repair",
            "I expect it to be repaired free of charge under the warranty.",
        ),
        (
            "apology",
            "At the very least I expect an explanation and an apology.",
        ),
        (
            "refund",
            "Give me my money back or I will post a review everywhere.",
        ),
    ],
    closings: &[
        "Thanks.",
        "Regards.",
        "Waiting for your answer.",
        "This is really disappointing.",
    ],
    replies: &[
        "I'm sorry about the trouble with your order. I have checked it and will call you back within 24 hours.",
        "Thank you for your patience. A replacement is on its way; you will get the tracking number by e-mail.",
        "I understand how frustrating this is. I have asked the warehouse and will update you tomorrow morning.",
    ],
};

const ROMANIAN: Phrases = Phrases {
    tag: "ro",
    given: &[
        "Andrei",
        "Maria",
        "Ioana",
        "Mihai",
        "Elena",
        "Alexandru",
        "Cristina",
        "Gabriel",
    ],
    family: &[
        "Popescu",
        "Ionescu",
        "Dumitrescu",
        "Stan",
        "Munteanu",
        "Constantin",
        "Marin",
        "Stoica",
    ],
    full_names: &[],
    name_joiner: " ",
    sentence_joiner: " ",
    phone_prefix: "+40 721 0",
    currency: "RON",
    products: &[
        ("mașină de spălat", "mașină de spălat"),
        ("laptop", "laptop"),
        ("canapea", "canapea"),
        ("telefon", "telefon"),
        ("espressor", "espressor"),
        ("geacă de iarnă", "geacă de iarnă"),
        ("televizor", "televizor"),
        ("bicicletă", "bicicletă"),
    ],
    subjects: &[
        "Reclamație: {product} defect",
        "Nu am primit comanda ({product})",
        "Cerere de rambursare – {product}",
        "Produs greșit livrat în loc de {product}",
        "Coletul cu {product} a întârziat",
        "Plată dublă pentru {product}",
    ],
    openings: &[
        "Bună ziua,",
        "Salut,",
        "Stimată doamnă, stimate domn,",
        "Bună seara,",
    ],
    problems: &[
        (
            "delivery",
            "Am comandat acum {days} zile un produs ({product}), comanda {order}, și încă nu a ajuns.",
        ),
        (
            "delivery",
            "Coletul a întârziat deja {days} zile față de termenul promis.",
        ),
        (
            "quality",
            "Produsul din comanda {order} ({product}) s-a stricat după numai {days} zile.",
        ),
        (
            "billing",
            "Mi s-a retras de două ori suma pentru comanda {order}.",
        ),
        (
            "delivery",
            "Curierul a lăsat coletul deteriorat, iar produsul dinăuntru este zgâriat.",
        ),
        (
            "service",
            "Am sunat de trei ori la serviciul clienți și nu m-a mai sunat nimeni înapoi.",
        ),
        (
            "wrong_item",
            "Am primit alt produs decât cel comandat: eu am cerut {product}, comanda {order}.",
        ),
    ],
    demands: &[
        ("refund", "Vreau banii înapoi, integral."),
        (
            "replacement",
            "Vă rog să-mi trimiteți un produs nou cât mai repede.",
        ),
        (
            "repair",
            "Aștept să mi-l reparați gratuit, este în garanție.",
        ),
        ("apology", "Aștept măcar o explicație și niște scuze."),
        (
            "refund",
            "Dacă nu îmi dați banii înapoi, las recenzii peste tot.",
        ),
    ],
    closings: &[
        "Mulțumesc.",
        "Cu stimă.",
        "Aștept un răspuns.",
        "Sunt foarte dezamăgit.",
    ],
    replies: &[
        "Îmi pare rău pentru neplăcere. Am verificat comanda și vă sun înapoi în cel mult 24 de ore.",
        "Vă mulțumim pentru răbdare. Produsul nou a fost expediat; primiți numărul de urmărire pe e-mail.",
        "Înțeleg cât de frustrant este. Am întrebat depozitul și revin mâine dimineață cu un răspuns.",
    ],
};

const SIMPLIFIED_CHINESE: Phrases = Phrases {
    tag: "zh-Hans",
    given: &["芳", "伟", "敏", "洋", "静", "磊", "丽", "强"],
    family: &["王", "李", "张", "刘", "陈", "杨", "赵", "黄"],
    full_names: &[],
    name_joiner: "",
    sentence_joiner: "",
    phone_prefix: "+86 138 0013 ",
    currency: "CNY",
    products: &[
        ("洗衣机", "洗衣机"),
        ("笔记本电脑", "笔记本电脑"),
        ("沙发", "沙发"),
        ("手机", "手机"),
        ("咖啡机", "咖啡机"),
        ("羽绒服", "羽绒服"),
        ("电视", "电视"),
        ("自行车", "自行车"),
    ],
    subjects: &[
        "{product}用了一周就坏了",
        "我的{product}到哪了？",
        "{product}退款申请",
        "收到的{product}不对",
        "{product}一直没有发货",
        "{product}被重复扣款",
    ],
    openings: &["你好，", "您好，", "客服你好，", "请问一下，"],
    problems: &[
        (
            "delivery",
            "我{days}天前买了{product}（订单号{order}），到现在还没收到。",
        ),
        ("delivery", "物流信息已经{days}天没有更新了。"),
        ("quality", "订单{order}的{product}才用了{days}天就坏了。"),
        ("billing", "订单{order}被扣了两次款。"),
        (
            "delivery",
            "快递送来的箱子是破的，里面的{product}也有划痕。",
        ),
        ("service", "我已经打了三次客服电话，说好回电却一直没人回。"),
        (
            "wrong_item",
            "我收到的{product}不是我订的那款，订单号{order}。",
        ),
    ],
    demands: &[
        ("refund", "我要退款。"),
        ("replacement", "请尽快给我换一个新的。"),
        ("repair", "还在保修期内，请免费维修。"),
        ("apology", "至少给我一个解释和道歉。"),
        ("refund", "再不退款我就去网上给差评。"),
    ],
    closings: &["谢谢。", "等你们回复。", "真的很失望。", "请尽快处理。"],
    replies: &[
        "非常抱歉给您带来不便。我已经查了您的订单，24小时内给您回电。",
        "感谢您的耐心。新的商品已经发出，物流单号会通过邮件发给您。",
        "我理解您的心情。我已经联系仓库，明天上午给您答复。",
    ],
};

const TRADITIONAL_CHINESE: Phrases = Phrases {
    tag: "zh-Hant",
    given: &[
        "大文", "美玲", "志明", "雅婷", "家豪", "淑芬", "建宏", "怡君",
    ],
    family: &["陳", "林", "黃", "張", "李", "王", "吳", "劉"],
    full_names: &[],
    name_joiner: "",
    sentence_joiner: "",
    phone_prefix: "+886 912 3",
    currency: "TWD",
    products: &[
        ("洗衣機", "洗衣機"),
        ("筆記型電腦", "筆記型電腦"),
        ("沙發", "沙發"),
        ("手機", "手機"),
        ("咖啡機", "咖啡機"),
        ("羽絨外套", "羽絨外套"),
        ("電視", "電視"),
        ("腳踏車", "腳踏車"),
    ],
    subjects: &[
        "{product}用了一週就壞了",
        "我的{product}到哪裡了？",
        "{product}退款申請",
        "收到的{product}不對",
        "{product}一直沒有出貨",
        "{product}被重複扣款",
    ],
    openings: &["你好，", "您好，", "客服您好，", "請問一下，"],
    problems: &[
        (
            "delivery",
            "我{days}天前買了{product}（訂單編號{order}），到現在還沒收到。",
        ),
        ("delivery", "物流狀態已經{days}天沒有更新了。"),
        ("quality", "訂單{order}的{product}才用了{days}天就壞了。"),
        ("billing", "訂單{order}被重複扣了兩次款。"),
        ("delivery", "宅配送來的箱子破了，裡面的{product}也有刮痕。"),
        (
            "service",
            "我已經打了三次客服電話，說好會回電卻一直沒有人回。",
        ),
        (
            "wrong_item",
            "我收到的{product}不是我訂的那款，訂單編號{order}。",
        ),
    ],
    demands: &[
        ("refund", "我要退貨退款。"),
        ("replacement", "請盡快幫我換新的。"),
        ("repair", "還在保固期內，請免費維修。"),
        ("apology", "至少給我一個解釋和道歉。"),
        ("refund", "不退款的話我就去網路上給負評。"),
    ],
    closings: &["謝謝。", "等你們回覆。", "真的很失望。", "請盡快處理。"],
    replies: &[
        "非常抱歉造成您的不便。我已經查詢您的訂單，會在24小時內回電給您。",
        "謝謝您的耐心。新的商品已經寄出，物流單號會用電子郵件通知您。",
        "我能理解您的心情。我已經聯絡倉庫，明天上午給您回覆。",
    ],
};

const TAGALOG: Phrases = Phrases {
    tag: "tl",
    given: &[
        "Juan", "Maria", "Jose", "Ana", "Mark", "Kristine", "Paolo", "Liza",
    ],
    family: &[
        "dela Cruz",
        "Santos",
        "Reyes",
        "Garcia",
        "Mendoza",
        "Bautista",
        "Villanueva",
        "Ramos",
    ],
    full_names: &[],
    name_joiner: " ",
    sentence_joiner: " ",
    phone_prefix: "+63 917 55",
    currency: "PHP",
    products: &[
        ("washing machine", "washing machine"),
        ("laptop", "laptop"),
        ("sofa", "sofa"),
        ("cellphone", "cellphone"),
        ("coffee maker", "coffee maker"),
        ("jacket", "jacket"),
        ("TV", "TV"),
        ("bisikleta", "bisikleta"),
    ],
    subjects: &[
        "Sira agad ang {product}",
        "Nasaan na po ang {product} ko?",
        "Refund para sa {product}",
        "Maling {product} ang dumating",
        "Hindi pa rin dumarating ang {product}",
        "Dalawang beses akong na-charge sa {product}",
    ],
    openings: &[
        "Magandang araw po,",
        "Hello po,",
        "Good morning po,",
        "Magandang hapon po,",
    ],
    problems: &[
        (
            "delivery",
            "Umorder ako ng {product} {days} araw na ang nakalipas (order {order}) pero wala pa rin hanggang ngayon.",
        ),
        (
            "delivery",
            "Wala pa rin ang padala ko, {days} araw na akong naghihintay.",
        ),
        (
            "quality",
            "Nasira ang {product} mula sa order {order} pagkalipas lang ng {days} araw.",
        ),
        (
            "billing",
            "Dalawang beses kinaltasan ang card ko para sa order {order}.",
        ),
        (
            "delivery",
            "Sira na ang kahon nang dumating at may gasgas ang {product}.",
        ),
        (
            "service",
            "Tatlong beses na akong tumawag sa customer service pero walang tumawag pabalik.",
        ),
        (
            "wrong_item",
            "Ibang {product} ang dumating, hindi ito ang inorder ko. Order {order} po ito.",
        ),
    ],
    demands: &[
        ("refund", "Gusto ko pong ibalik ang bayad ko."),
        ("replacement", "Pakipalitan po agad ng bago."),
        ("repair", "Pakiayos po nang libre dahil may warranty pa."),
        ("apology", "Kahit paliwanag at paumanhin man lang sana."),
        (
            "refund",
            "Kapag hindi ninyo ibinalik ang pera ko, magre-review ako sa lahat ng site.",
        ),
    ],
    closings: &[
        "Salamat po.",
        "Hihintayin ko ang sagot ninyo.",
        "Sobrang nakakadismaya.",
        "Pakiaksyunan po agad.",
    ],
    replies: &[
        "Pasensya na po sa abala. Na-check ko na ang order ninyo at tatawagan ko kayo sa loob ng 24 oras.",
        "Salamat po sa pasensya. Naipadala na ang kapalit; ipapadala namin sa email ang tracking number.",
        "Naiintindihan ko po ang inis ninyo. Tinanong ko na ang warehouse at babalitaan ko kayo bukas ng umaga.",
    ],
};

const GREEK: Phrases = Phrases {
    tag: "el",
    given: &[],
    family: &[],
    full_names: &[
        "Γιώργος Παπαδόπουλος",
        "Μαρία Παπαδοπούλου",
        "Νίκος Γεωργίου",
        "Ελένη Δημητρίου",
        "Κώστας Οικονόμου",
        "Κατερίνα Αντωνίου",
        "Δημήτρης Νικολάου",
        "Σοφία Ιωάννου",
        "Γιάννης Καραγιάννης",
        "Αθηνά Καραγιάννη",
    ],
    name_joiner: " ",
    sentence_joiner: " ",
    phone_prefix: "+30 691 23",
    currency: "EUR",
    products: &[
        ("το πλυντήριο", "το πλυντήριο"),
        ("το λάπτοπ", "το λάπτοπ"),
        ("ο καναπές", "τον καναπέ"),
        ("το κινητό", "το κινητό"),
        ("η καφετιέρα", "την καφετιέρα"),
        ("το μπουφάν", "το μπουφάν"),
        ("η τηλεόραση", "την τηλεόραση"),
        ("το ποδήλατο", "το ποδήλατο"),
    ],
    subjects: &[
        "Χάλασε {product} μετά από μία εβδομάδα",
        "Πού είναι {product} που παρήγγειλα;",
        "Επιστροφή χρημάτων για {product_acc}",
        "Λάθος προϊόν αντί για {product_acc}",
        "Ακόμα περιμένω {product_acc}",
        "Διπλή χρέωση για {product_acc}",
    ],
    openings: &[
        "Καλησπέρα σας,",
        "Γεια σας,",
        "Καλημέρα,",
        "Αξιότιμοι κύριοι,",
    ],
    problems: &[
        (
            "delivery",
            "Παρήγγειλα {product_acc} πριν από {days} μέρες (παραγγελία {order}) και ακόμα δεν έχει έρθει.",
        ),
        (
            "delivery",
            "Η παραγγελία {order} έχει καθυστερήσει ήδη {days} μέρες.",
        ),
        (
            "quality",
            "Μετά από μόλις {days} μέρες χάλασε {product} της παραγγελίας {order}.",
        ),
        (
            "billing",
            "Η κάρτα μου χρεώθηκε δύο φορές για την παραγγελία {order}.",
        ),
        (
            "delivery",
            "Ο κούριερ άφησε το δέμα κατεστραμμένο και το προϊόν μέσα έχει γρατζουνιές.",
        ),
        (
            "service",
            "Έχω πάρει τρεις φορές τηλέφωνο στην εξυπηρέτηση πελατών και κανείς δεν με πήρε πίσω.",
        ),
        (
            "wrong_item",
            "Μου ήρθε λάθος προϊόν αντί για {product_acc}, αριθμός παραγγελίας {order}.",
        ),
    ],
    demands: &[
        ("refund", "Θέλω επιστροφή χρημάτων."),
        ("replacement", "Στείλτε μου καινούργιο το συντομότερο."),
        (
            "repair",
            "Περιμένω να το επισκευάσετε δωρεάν, είναι στην εγγύηση.",
        ),
        (
            "apology",
            "Περιμένω τουλάχιστον μια εξήγηση και μια συγγνώμη.",
        ),
        (
            "refund",
            "Αν δεν μου επιστρέψετε τα χρήματα, θα γράψω κριτική παντού.",
        ),
    ],
    closings: &[
        "Ευχαριστώ.",
        "Περιμένω την απάντησή σας.",
        "Είμαι πολύ απογοητευμένος.",
        "Παρακαλώ κάντε κάτι άμεσα.",
    ],
    replies: &[
        "Λυπάμαι πολύ για την ταλαιπωρία. Έλεγξα την παραγγελία σας και θα σας καλέσω μέσα σε 24 ώρες.",
        "Σας ευχαριστούμε για την υπομονή. Το καινούργιο προϊόν στάλθηκε· θα λάβετε τον αριθμό αποστολής με email.",
        "Καταλαβαίνω πόσο εκνευριστικό είναι. Ρώτησα την αποθήκη και θα σας ενημερώσω αύριο το πρωί.",
    ],
};

const LANGUAGES: [&Phrases; 6] = [
    &ENGLISH,
    &ROMANIAN,
    &SIMPLIFIED_CHINESE,
    &TRADITIONAL_CHINESE,
    &TAGALOG,
    &GREEK,
];

/// SplitMix64: tiny, fast and deterministic across platforms, which is all demo data needs.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn customer_name(phrases: &Phrases, random: &mut Random) -> String {
    if phrases.full_names.is_empty() {
        let given = random.pick(phrases.given);
        let family = random.pick(phrases.family);
        // Chinese puts the family name first.
        if phrases.name_joiner.is_empty() {
            format!("{family}{given}")
        } else {
            format!("{given}{}{family}", phrases.name_joiner)
        }
    } else {
        (*random.pick(phrases.full_names)).to_owned()
    }
}

fn fill(template: &str, product: (&str, &str), order: &str, days: usize) -> String {
    template
        .replace("{product_acc}", product.1)
        .replace("{product}", product.0)
        .replace("{order}", order)
        .replace("{days}", &days.to_string())
}

/// `n` new cases, the languages in turn, deterministic for a given `seed`. About one in ten
/// comes from a returning customer (same e-mail as an earlier case).
pub fn generate(n: usize, seed: u64) -> Vec<NewCase> {
    let mut random = Random(seed);
    let mut cases: Vec<NewCase> = Vec::with_capacity(n);
    for index in 0..n {
        let phrases = LANGUAGES[index % LANGUAGES.len()];
        let product = *random.pick(phrases.products);
        let order = format!("A{:06}", random.below(1_000_000));
        let days = 2 + random.below(20);
        let (category, problem) = *random.pick(phrases.problems);
        let (remedy, demand) = *random.pick(phrases.demands);
        let body = [
            *random.pick(phrases.openings),
            &fill(problem, product, &order, days),
            demand,
            *random.pick(phrases.closings),
        ]
        .join(phrases.sentence_joiner);
        let returning = index >= LANGUAGES.len() && random.chance(10);
        let customer = if returning {
            let earlier =
                &cases[index - LANGUAGES.len() * (1 + random.below(index / LANGUAGES.len()))];
            earlier.customer.clone()
        } else {
            NewCustomer {
                name: customer_name(phrases, &mut random),
                email: random
                    .chance(80)
                    .then(|| format!("customer{index}@example.com")),
                phone: Some(format!("{}{:05}", phrases.phone_prefix, index % 100_000)),
                language: Some(phrases.tag.to_owned()),
                annual_value: random.chance(30).then(|| Money {
                    amount_minor: 10_000 * (1 + random.below(500)) as i64,
                    currency: phrases.currency.to_owned(),
                }),
            }
        };
        let priority = match random.below(20) {
            0 => Priority::Urgent,
            1..=3 => Priority::High,
            4..=5 => Priority::Low,
            _ => Priority::Normal,
        };
        cases.push(NewCase {
            customer,
            channel: *random.pick(&[
                Channel::Email,
                Channel::Email,
                Channel::Web,
                Channel::Phone,
                Channel::Chat,
                Channel::Review,
                Channel::InPerson,
                Channel::Api,
            ]),
            subject: fill(random.pick::<&str>(phrases.subjects), product, &order, days),
            message: body,
            category: Some(category.to_owned()),
            cause: None,
            priority: Some(priority),
            language: Some(phrases.tag.to_owned()),
            remedy_sought: Some(remedy.to_owned()),
            safety_flag: false,
        });
    }
    cases
}

/// An agent's reply in the case's language, for about a third of the cases.
fn reply_for(case: &NewCase, index: usize) -> Option<NewMessage> {
    if !index.is_multiple_of(3) {
        return None;
    }
    let phrases = LANGUAGES
        .iter()
        .find(|p| Some(p.tag) == case.language.as_deref())?;
    Some(NewMessage {
        direction: Direction::Outbound,
        channel: None,
        author: None,
        body: phrases.replies[index / 3 % phrases.replies.len()].to_owned(),
    })
}

/// Creates `n` generated cases (and replies on a third of them), `concurrency` commands at a
/// time, one minute apart starting at `start`. Returns the number of cases created.
pub async fn load(
    store: Arc<dyn Store>,
    n: usize,
    seed: u64,
    start: Timestamp,
    concurrency: usize,
) -> Result<usize, StoreError> {
    let actor = Actor {
        name: "seed".into(),
        role: Role::Admin,
        agent_id: None,
    };
    let cases = generate(n, seed);
    let lanes = concurrency.max(1);
    let mut tasks = tokio::task::JoinSet::new();
    let mut chunks: Vec<Vec<(usize, NewCase)>> = (0..lanes).map(|_| Vec::new()).collect();
    for (index, case) in cases.into_iter().enumerate() {
        chunks[index % lanes].push((index, case));
    }
    for chunk in chunks {
        let store = store.clone();
        let actor = actor.clone();
        tasks.spawn(async move {
            for (index, case) in chunk {
                let at = start + jiff::SignedDuration::from_secs(60 * index as i64);
                let reply = reply_for(&case, index);
                let created = store.create_case(&actor, case, at).await?;
                if let Some(reply) = reply {
                    store
                        .add_message(&actor, created.case.id, reply, at)
                        .await?;
                }
            }
            Ok::<(), StoreError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|err| StoreError::Internal(format!("seeding task failed: {err}")))??;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_seed_dependent() {
        assert_eq!(generate(50, 1), generate(50, 1));
        assert_ne!(generate(50, 1), generate(50, 2));
    }

    #[test]
    fn every_generated_case_is_valid_and_all_languages_appear() {
        let cases = generate(600, 42);
        for case in &cases {
            case.clone().validate().expect("a generated case is valid");
        }
        for tag in domain::LANGUAGES {
            let count = cases
                .iter()
                .filter(|c| c.language.as_deref() == Some(tag))
                .count();
            assert_eq!(count, 100, "{tag}");
        }
    }

    #[test]
    fn text_varies_within_a_language() {
        let cases = generate(600, 3);
        let greek: Vec<_> = cases
            .iter()
            .filter(|c| c.language.as_deref() == Some("el"))
            .collect();
        let subjects: std::collections::BTreeSet<_> = greek.iter().map(|c| &c.subject).collect();
        let bodies: std::collections::BTreeSet<_> = greek.iter().map(|c| &c.message).collect();
        assert!(subjects.len() > 30, "{} distinct subjects", subjects.len());
        assert!(bodies.len() > 90, "{} distinct bodies", bodies.len());
    }

    #[test]
    fn some_customers_return() {
        let cases = generate(600, 9);
        let emails: Vec<_> = cases
            .iter()
            .filter_map(|c| c.customer.email.as_ref())
            .collect();
        let distinct: std::collections::BTreeSet<_> = emails.iter().collect();
        assert!(
            distinct.len() < emails.len(),
            "returning customers reuse their e-mail"
        );
    }

    #[test]
    fn chinese_bodies_are_not_spaced() {
        let case = generate(3, 5).remove(2);
        assert_eq!(case.language.as_deref(), Some("zh-Hans"));
        assert!(!case.message.contains(' '), "{}", case.message);
    }
}
