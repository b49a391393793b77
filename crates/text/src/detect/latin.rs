//! Languages written in Latin letters: English, Romanian (with or without diacritics), Tagalog
//! and Taglish, Greeklish; and the widespread languages Calmdesk does not support, scored too so
//! that Spanish, German, Indonesian... come out as `und` instead of the nearest supported one.
//!
//! Evidence: function words (the most frequent words of a language cover 40–50% of any
//! sentence and survive missing diacritics), letters only some languages use, and word shapes
//! (affixes) for words no list knows.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::fold::fold_char;
use crate::hash::FxBuildHasher;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    En,
    Ro,
    Tl,
    /// Greek written in Latin letters.
    Greeklish,
    Es,
    Pt,
    It,
    Fr,
    De,
    Nl,
    /// Indonesian and Malay.
    Id,
    Pl,
    Tr,
    /// Swedish, Norwegian, Danish.
    Nordic,
    Vi,
    /// Cebuano (Bisaya): shares many particles with Tagalog but is another language.
    Ceb,
    /// Other Latin-script languages known only by their letters (Czech, Hungarian, ...).
    OtherLatin,
}

const CLASS_COUNT: usize = 17;
// The word table keeps a bit per class in a u32.
const _: () = assert!(CLASS_COUNT <= 32);
const CLASSES: [Class; CLASS_COUNT] = [
    Class::En,
    Class::Ro,
    Class::Tl,
    Class::Greeklish,
    Class::Es,
    Class::Pt,
    Class::It,
    Class::Fr,
    Class::De,
    Class::Nl,
    Class::Id,
    Class::Pl,
    Class::Tr,
    Class::Nordic,
    Class::Vi,
    Class::Ceb,
    Class::OtherLatin,
];

/// Function words per language, folded (lowercase, no diacritics). `strong` words are frequent
/// in the language and rare elsewhere; `common` words are frequent but shared with others.
struct WordList {
    class: Class,
    strong: &'static str,
    common: &'static str,
}

const STRONG_WEIGHT: f32 = 2.0;
const COMMON_WEIGHT: f32 = 1.0;

const WORD_LISTS: &[WordList] = &[
    WordList {
        class: Class::En,
        strong: "the and is are was were of with this that have has had you your they what would \
                 will been be which there their from about just my it we our how why when where \
                 who should could them he she his him her very really get got like know think \
                 want need because please thank thanks still never only even also after before \
                 again its it's i'm i've don't can't didn't doesn't isn't wasn't won't couldn't \
                 wouldn't shouldn't haven't aren't dont cant didnt doesnt isnt wasnt wont im ive \
                 youre thats whats theres here those these being than then into over off yet such \
                 every something anything nothing going make made said say see way people much \
                 more most many well back time day today tomorrow yesterday come let let's look \
                 tell give take right hey hello sorry wait stop gonna wanna gotta you're we're \
                 they're he's she's that's what's there's i'll you'll we'll i'd you'd everything \
                 everyone someone anyone nobody mean talk work ask try feel keep leave put find \
                 told thing things little big sure maybe though through while until since down \
                 around same another must might shall doing having getting went gone came took \
                 saw seen heard",
        common: "a an in on at to for not no do does did but or if so as by i me up out all any \
                 some one can now don didn doesn isn wasn won couldn ll re ve t s d m new good \
                 bad great love other yes yeah lol oh order account money customer service help \
                 year years week call am us go god man sir mr mrs hurry okay face mine dear",
    },
    WordList {
        class: Class::Ro,
        strong: "si nu este sunt pentru care mai foarte din dar acest aceasta asta acesta fost fi \
                 fie poate pot daca deja inca acum aici cand cum decat dupa pana despre prin sau \
                 iar doar nici chiar bine tot toate toti nimic ceva ceea lui lor ei ea noi voi eu \
                 tu meu mea mei mele tau tale sai sale nostru noastra vostru imi iti isi vor vom \
                 ar avea avem aveti ale unui unei unor niste acolo aceste acestea acel acea \
                 fiecare orice oricum totusi deci adica mult multa multe multi putin mare zi zile \
                 ani lucru oameni bani banii produs produsul produsului comanda comenzii livrare \
                 calitate pret recomand multumesc multumit multumita buna bun bune ziua vreau \
                 trebuie facut fac fara spre langa catre intre peste nou noua vechi alta alte cel \
                 cea cei cele cat cate cati fiindca incat insa atunci mereu niciodata uneori azi \
                 ieri maine ca sa nimeni altul alti ati primit primesc banuti cumparat folosesc \
                 telefonul pretul raport ce da pai hai uite unde cine vrei vreti stiu stii esti \
                 suntem sunteti asa aia alea ala acasa domnule doamna dvs dumneavoastra omule \
                 prietene haide gata nicio niciun atat atit cit cind dracu naiba sigur vezi zis \
                 spus avut lasat stai vino mergem merge putem vrea dintre mie tie voua ii nostri \
                 noastre lumea timp copii baiete tata frate numai acelei acelui aceleasi abia \
                 aproape oricine vorbesc spune spui faci facem zice dat luat destul repede pare \
                 clar primul doua trei patru cinci excelent excelenta ieftin scump frumos \
                 frumoasa functioneaza mic greu usor loc minute ore ajutor cerut sint masina \
                 telefon baterie ecran sunet nevoie stie vine venit ajuns luni saptamana luna \
                 bucuros bucuroasa",
        common: "prima de la in cu pe un o e am ai are au al ma mi te ti se il le li s n l m ne \
                 va alt ori ok ta as face a mine",
    },
    WordList {
        class: Class::Tl,
        strong: "ang ng mga ay kay ko mo niya nya siya sya ako ikaw kami tayo kayo sila ito eto \
                 iyan yan iyon yun yung iyong dito diyan dyan doon dun hindi wala walang mayroon \
                 meron lang lamang din rin daw raw po opo naman nman nmn ba nga kasi ksi kc pero \
                 kung talaga tlga sobra sobrang ganda maganda salamat sana ulit nang kapag kahit \
                 dahil lahat ano bakit paano saan sino kailan dapat gusto ayaw pwede puwede pede \
                 ngayon bukas kanina tapos agad dumating natanggap ganun ganito ganyan parang lng \
                 na ung nung yong pinaka medyo maayos mabilis maliit malaki sulit mura nag nila \
                 natin namin ninyo niyo nyo atin amin inyo kanila akin iyo kaniya kanya wag huwag \
                 nalang nlng pala kaya siguro baka diba oo hnd hndi wla ndi aq tnx tlaga lagi \
                 dati sabi alam bili binili bumili maraming marami konti kaunti mahal tama mali \
                 gawa ginawa nakakainis grabe sayang kaso pa ka ni may pag mas sakto iba daming \
                 saakin sakin nasa kase nandito andito nandyan andyan nandoon pinadala binigay \
                 masyado pangit ayos tela kasya mabait ayun bago mahina malakas pogi gamit bigay \
                 pagka ayon sya'y kuya beh lods siyempre syempre talagang sa si tong nitong yang \
                 ewan hala mukha mukhang sakit malamang",
        common: "at o di e sama para yes",
    },
    WordList {
        class: Class::Greeklish,
        strong: "kai ke den dn einai ine eimai imai eisai isai exw exo eho exei exi ehi exeis \
                 exoume mou moy sou soy tou toy tis ths tin thn ton twn oi stin sthn sti sth ston \
                 sto stous stis apo gia yia giati giauto pws pou poy oti alla ala otan tha 8a mh \
                 mas sas tous autos auto afto ayto auti afti ayth edw edo ekei twra tora akoma \
                 akomi pali tipota tpt kati kapoios kapoio poly poli polu pio ola olo oloi kala \
                 kalh kali kalos ela nai oxi ohi efxaristw euxaristw efxaristo parakalw parakalo \
                 thelw thelo 8elw mporw mporo mporeite mporeis kanw kano kaneis kanei kanete lew \
                 leei eipa eipe pire parei paketo paraggelia xrimata lefta meres mera simera \
                 shmera avrio aurio xthes xtes ksero kserw 3erw xero opws ama ena enas mia enan \
                 poios poia poio pote pantou pragmatika malista dhladh dhlada dld kalhmera \
                 kalimera geia mwre vre omws omos epeidh epeidi opote mexri meta prin xwris xoris \
                 horis ektos mazi monos mono panta ligo liga arketa megalo mikro kainourio palio \
                 diko dikos esy esu egw ego emeis eseis autoi aftoi paidia file re",
        common: "na to ta me se an o h i ti mi pos para kata",
    },
    WordList {
        class: Class::Es,
        strong: "el los las del que y es por con una su sus lo al como pero muy esta este esto \
                 eso son fue ha hay yo ya todo todos cuando porque donde tambien estoy tengo \
                 tiene gracias bien solo nada sin sobre entre hasta desde mas les nos pedido hola \
                 bueno buena usted ustedes ella ellos nosotros estan han puede hacer quiero aqui \
                 ahora siempre nunca otro otra mucho",
        common: "la de en un no se me te para a o",
    },
    WordList {
        class: Class::Pt,
        strong: "os do da dos das que um uma nao com mais ao ele ela muito isso esse essa voce eu \
                 meu minha tem estou obrigado obrigada sao ja tambem quando ate sem foi nos seu \
                 sua ou pelo pela ainda bem aqui agora sempre nunca entao porque pra produto \
                 chegou",
        common: "o a e de em no na se para por como mas me as",
    },
    WordList {
        class: Class::It,
        strong: "il gli di del della che per non sono come piu anche questo questa ho hanno io \
                 lui lei noi voi grazie molto tutto gia ancora perche quando dove essere stato \
                 nel nella alla dei delle sei siamo mio mia tuo suo cosa fatto fare bene sempre \
                 solo poi dopo prima ogni qui",
        common: "lo la le e un una con mi ti si ci ma da se in a o tu",
    },
    WordList {
        class: Class::Fr,
        strong: "le les des du une et est que qui pas ne je il elle nous vous ils elles pour dans \
                 sur avec ce cette ces mais ou au aux plus tres bien merci suis sont avoir etre \
                 mon mes votre vos notre tout tous fait qu y on leur sans aussi comme encore deja \
                 toujours jamais rien quand parce avez avons ete c'est cest j'ai",
        common: "la de un en a se me te ni c j l d n ai ma",
    },
    WordList {
        class: Class::De,
        strong: "der die das und ist nicht ich du er sie es wir ihr ein eine einen einem einer zu \
                 mit auf fur von den dem des im auch sich aber noch wie wenn nur oder schon sehr \
                 war hat habe haben bin sind kein keine mein meine bitte danke nach bei aus um \
                 wird werden dass was gibt mir mich dich uns euch ihnen hier jetzt immer heute \
                 kann konnen muss soll will wurde ja nein gut also doch mal",
        common: "in an so am man",
    },
    WordList {
        class: Class::Nl,
        strong: "het een en van ik je niet dat op te met zijn voor maar er als ook aan om dan wat \
                 nog bij wel geen heb hebben mijn naar uit dit worden kan zo ze hij we deze die \
                 heel goed dank bedankt",
        common: "de in is",
    },
    WordList {
        class: Class::Id,
        strong: "yang dan ini itu dengan untuk tidak dari dalam akan ada saya aku kamu anda kami \
                 kita mereka bisa sudah belum juga tapi karena atau pada sangat barang terima \
                 kasih mau apa jadi kalau hanya masih harus buat sih banget gak nggak tak dia nya \
                 seperti oleh bagus cepat sampai baik saja kok dong deh",
        common: "di ke lagi sama",
    },
    WordList {
        class: Class::Ceb,
        strong: "dili gihapon kaayo karon unsa ngano akong imong iyang atong among ninyong diay \
                 gyud jud bitaw ayaw palihug kinsa asa diri didto adto kini kana moabot miabot ug \
                 naa wala'y nimo nako niya ta",
        common: "nga",
    },
    WordList {
        class: Class::Pl,
        strong: "nie sie jest w z i ze co jak ale tak jestem mnie ten tego przez dla po od juz \
                 tylko czy bardzo jeszcze mam byl bylo moze tez wszystko dziekuje prosze",
        common: "to na do mi sa",
    },
    WordList {
        class: Class::Tr,
        strong: "ve bir bu icin ile ben sen ne cok var yok ama gibi daha degil olarak kadar sonra \
                 simdi tesekkur tesekkurler lutfen evet hayir benim sizin siparis urun",
        common: "da de o mi",
    },
    WordList {
        class: Class::Nordic,
        strong: "och att det som ett jag har inte med av till ar om kan men hade eller ikke og er \
                 jeg af paa ogsa",
        common: "en den var vi de for pa sa du",
    },
];

/// Letters that only some languages use, with the evidence each occurrence adds.
fn letter_evidence(c: char, mut add: impl FnMut(Class, f32)) {
    match c {
        'ă' | 'Ă' => add(Class::Ro, 1.5),
        'ș' | 'Ș' | 'ț' | 'Ț' | 'ţ' | 'Ţ' => add(Class::Ro, 2.0),
        'ş' | 'Ş' => {
            add(Class::Ro, 1.5);
            add(Class::Tr, 1.0);
        }
        'î' | 'Î' => {
            add(Class::Ro, 1.0);
            add(Class::Fr, 0.3);
        }
        'â' | 'Â' => {
            add(Class::Ro, 0.7);
            add(Class::Fr, 0.5);
            add(Class::Pt, 0.5);
        }
        'ñ' | 'Ñ' | '¿' | '¡' => add(Class::Es, 2.0),
        'á' | 'í' | 'ó' | 'ú' | 'Á' | 'Í' | 'Ó' | 'Ú' => {
            add(Class::Es, 0.6);
            add(Class::Pt, 0.6);
            add(Class::OtherLatin, 0.3);
        }
        'é' | 'É' => {
            add(Class::Fr, 0.6);
            add(Class::Es, 0.4);
            add(Class::Pt, 0.4);
            add(Class::It, 0.2);
        }
        'ã' | 'õ' | 'Ã' | 'Õ' => add(Class::Pt, 2.0),
        'ç' | 'Ç' => {
            add(Class::Fr, 1.0);
            add(Class::Pt, 1.0);
            add(Class::Tr, 0.7);
        }
        'ê' | 'ô' | 'Ê' | 'Ô' => {
            add(Class::Fr, 0.7);
            add(Class::Pt, 0.7);
        }
        'è' | 'à' | 'ù' | 'È' | 'À' | 'Ù' => {
            add(Class::Fr, 0.8);
            add(Class::It, 0.8);
        }
        'ì' | 'ò' | 'Ì' | 'Ò' => add(Class::It, 1.5),
        'ë' | 'ï' | 'û' | 'œ' | 'Ë' | 'Ï' | 'Û' | 'Œ' => add(Class::Fr, 1.0),
        'ß' => add(Class::De, 2.0),
        'ä' | 'Ä' => {
            add(Class::De, 1.5);
            add(Class::Nordic, 1.0);
        }
        'ö' | 'ü' | 'Ö' | 'Ü' => {
            add(Class::De, 1.2);
            add(Class::Tr, 1.0);
            add(Class::Nordic, 0.5);
            add(Class::OtherLatin, 0.5);
        }
        'å' | 'æ' | 'ø' | 'Å' | 'Æ' | 'Ø' => add(Class::Nordic, 2.0),
        'ą' | 'ę' | 'ł' | 'ż' | 'ź' | 'ś' | 'ć' | 'ń' | 'Ą' | 'Ę' | 'Ł' | 'Ż' | 'Ź' | 'Ś' | 'Ć'
        | 'Ń' => add(Class::Pl, 2.0),
        'ı' | 'ğ' | 'İ' | 'Ğ' => add(Class::Tr, 2.0),
        'ơ' | 'ư' | 'đ' | 'Ơ' | 'Ư' | 'Đ' | '\u{1EA0}'..='\u{1EF9}' => add(Class::Vi, 2.0),
        'ř' | 'ě' | 'ů' | 'č' | 'š' | 'ž' | 'ő' | 'ű' | 'ā' | 'ē' | 'ī' | 'ū' | 'ļ' | 'ķ' | 'ņ'
        | 'ė' | 'į' | 'ų' | 'Ř' | 'Ě' | 'Ů' | 'Č' | 'Š' | 'Ž' | 'Ő' | 'Ű' => {
            add(Class::OtherLatin, 2.0)
        }
        _ => {}
    }
}

/// The first or last (up to) four bytes of a word packed into an integer, so affix tests are
/// integer compares instead of string compares (this runs on every unknown word).
#[derive(Clone, Copy)]
struct Affixes {
    first: u32,
    last: u32,
}

/// (mask, value) that `Affixes::first` must match for the word to start with `prefix`.
const fn prefix(prefix: &[u8]) -> (u32, u32) {
    let mut value = 0u32;
    let mut mask = 0u32;
    let mut i = 0;
    while i < 4 {
        value <<= 8;
        mask <<= 8;
        if i < prefix.len() {
            value |= prefix[i] as u32;
            mask |= 0xFF;
        }
        i += 1;
    }
    (mask, value)
}

/// (mask, value) that `Affixes::last` must match for the word to end with `suffix`.
const fn suffix(suffix: &[u8]) -> (u32, u32) {
    let mut value = 0u32;
    let mut mask = 0u32;
    let mut i = 0;
    while i < suffix.len() {
        value = (value << 8) | suffix[i] as u32;
        mask = (mask << 8) | 0xFF;
        i += 1;
    }
    (mask, value)
}

impl Affixes {
    /// For ASCII words of at least 4 bytes.
    fn of(bytes: &[u8]) -> Affixes {
        let len = bytes.len();
        Affixes {
            first: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            last: u32::from_be_bytes([
                bytes[len - 4],
                bytes[len - 3],
                bytes[len - 2],
                bytes[len - 1],
            ]),
        }
    }

    fn starts(self, any: &[(u32, u32)]) -> bool {
        any.iter().any(|&(mask, value)| self.first & mask == value)
    }

    fn ends(self, any: &[(u32, u32)]) -> bool {
        any.iter().any(|&(mask, value)| self.last & mask == value)
    }
}

/// Letter pairs inside a word that some languages favour, found in one pass.
#[derive(Debug, Default, PartialEq)]
struct Pairs {
    th: bool,
    ck: bool,
    ght: bool,
    double_e_or_o: bool,
    oa: bool,
    ua: bool,
    ng_not_ing: bool,
    aa: bool,
}

/// Bits of [`Pairs::of`]'s answer; `GH` and `NG` also need the byte after / before the pair.
const TH: u8 = 1;
const CK: u8 = 1 << 1;
const GH: u8 = 1 << 2;
const EE_OO: u8 = 1 << 3;
const OA: u8 = 1 << 4;
const UA: u8 = 1 << 5;
const AA: u8 = 1 << 6;
const NG: u8 = 1 << 7;

/// A byte's row/column in [`PAIR_BITS`]: `a`..`z` are 0..25, every other byte 26.
const LETTER_INDEX: [u8; 256] = {
    let mut table = [26u8; 256];
    let mut b = b'a';
    while b <= b'z' {
        table[b as usize] = b - b'a';
        b += 1;
    }
    table
};

/// The bits of each letter pair, indexed by `27 × first + second` letter index.
const PAIR_BITS: [u8; 27 * 27] = {
    let pairs: [(&[u8; 2], u8); 9] = [
        (b"th", TH),
        (b"ck", CK),
        (b"gh", GH),
        (b"ee", EE_OO),
        (b"oo", EE_OO),
        (b"oa", OA),
        (b"ua", UA),
        (b"aa", AA),
        (b"ng", NG),
    ];
    let mut table = [0u8; 27 * 27];
    let mut i = 0;
    while i < pairs.len() {
        let (pair, bit) = pairs[i];
        let at =
            LETTER_INDEX[pair[0] as usize] as usize * 27 + LETTER_INDEX[pair[1] as usize] as usize;
        table[at] |= bit;
        i += 1;
    }
    table
};

impl Pairs {
    /// One table lookup per window, the answers OR-ed into bits with no branch per window: a
    /// `match` on the pair compiled to a jump table whose target changed from byte to byte, a
    /// mispredicted indirect jump every few letters. "gh" and "ng" count only in context, which
    /// is checked afterwards for the few words that have them.
    fn of(bytes: &[u8]) -> Pairs {
        let mut bits = 0u8;
        for window in bytes.windows(2) {
            bits |= PAIR_BITS[usize::from(LETTER_INDEX[usize::from(window[0])]) * 27
                + usize::from(LETTER_INDEX[usize::from(window[1])])];
        }
        // "gh" only before a 't' ("ght").
        if bits & GH != 0 && !bytes.windows(3).any(|w| w == b"ght") {
            bits &= !GH;
        }
        // "ng" only at the start or after a byte other than 'i'.
        if bits & NG != 0
            && !bytes.starts_with(b"ng")
            && !bytes.windows(3).any(|w| w[0] != b'i' && w[1..] == *b"ng")
        {
            bits &= !NG;
        }
        Pairs {
            th: bits & TH != 0,
            ck: bits & CK != 0,
            ght: bits & GH != 0,
            double_e_or_o: bits & EE_OO != 0,
            oa: bits & OA != 0,
            ua: bits & UA != 0,
            aa: bits & AA != 0,
            ng_not_ing: bits & NG != 0,
        }
    }
}

const EN_STRONG_ENDINGS: &[(u32, u32)] = &[suffix(b"ing"), suffix(b"tion"), suffix(b"ould")];
const EN_ENDINGS: &[(u32, u32)] = &[suffix(b"ly"), suffix(b"ness"), suffix(b"ment")];
const RO_CASE_ENDINGS: &[(u32, u32)] = &[suffix(b"ului"), suffix(b"ilor"), suffix(b"rile")];
const RO_VERB_ENDINGS: &[(u32, u32)] = &[
    suffix(b"esc"),
    suffix(b"este"),
    suffix(b"asca"),
    suffix(b"eaza"),
    suffix(b"eze"),
];
const RO_ENDINGS: &[(u32, u32)] = &[
    suffix(b"ul"),
    suffix(b"ii"),
    suffix(b"tie"),
    suffix(b"tiei"),
    suffix(b"ati"),
];
const RO_WEAK_ENDINGS: &[(u32, u32)] = &[suffix(b"ti"), suffix(b"iei")];
const RO_PARTICIPLE_ENDINGS: &[(u32, u32)] = &[suffix(b"at"), suffix(b"it"), suffix(b"ut")];
const RO_NOUN_ENDINGS: &[(u32, u32)] = &[suffix(b"tia"), suffix(b"area")];
const TL_PREFIXES: &[(u32, u32)] = &[
    prefix(b"nag"),
    prefix(b"mag"),
    prefix(b"pag"),
    prefix(b"nak"),
    prefix(b"mak"),
    prefix(b"nap"),
    prefix(b"map"),
    prefix(b"ipa"),
    prefix(b"ika"),
    prefix(b"pina"),
    prefix(b"kina"),
    prefix(b"pang"),
];
const GREEKLISH_ENDINGS: &[(u32, u32)] = &[
    suffix(b"ou"),
    suffix(b"oy"),
    suffix(b"eis"),
    suffix(b"oume"),
    suffix(b"ete"),
    suffix(b"ousa"),
];
const GREEKLISH_PREFIXES: &[(u32, u32)] = &[
    prefix(b"mp"),
    prefix(b"nt"),
    prefix(b"gk"),
    prefix(b"ts"),
    prefix(b"ps"),
    prefix(b"ks"),
];

/// Word shapes for words no list knows: inflections and affixes typical of one language.
fn shape_evidence(word: &str, mut add: impl FnMut(Class, f32)) {
    let bytes = word.as_bytes();
    let len = bytes.len();
    if len < 4 || !word.is_ascii() {
        return;
    }
    let affixes = Affixes::of(bytes);
    let pairs = Pairs::of(bytes);
    let is_vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u');

    // English
    if affixes.ends(EN_STRONG_ENDINGS) || pairs.ght {
        add(Class::En, 0.6);
    }
    if affixes.starts(&[prefix(b"wh")]) || affixes.ends(EN_ENDINGS) {
        add(Class::En, 0.5);
    }
    if affixes.ends(&[suffix(b"ed")]) || pairs.th || pairs.ck || pairs.double_e_or_o {
        add(Class::En, 0.3);
    }

    // Romanian: case endings, verb endings, participles (-at, -it, -ut), abstract nouns.
    if affixes.ends(RO_CASE_ENDINGS) || affixes.ends(&[suffix(b"ele")]) && len > 5 {
        add(Class::Ro, 1.0);
    }
    if affixes.ends(RO_VERB_ENDINGS) {
        add(Class::Ro, 0.6);
    }
    if affixes.ends(RO_ENDINGS) || pairs.oa {
        add(Class::Ro, 0.4);
    }
    if affixes.ends(RO_WEAK_ENDINGS) || pairs.ua {
        add(Class::Ro, 0.3);
    }
    if len >= 5 && affixes.ends(RO_PARTICIPLE_ENDINGS) || affixes.ends(RO_NOUN_ENDINGS) {
        add(Class::Ro, 0.4);
    }

    // Tagalog: verb prefixes, the -um-/-in- infix, reduplicated first syllable.
    if affixes.starts(TL_PREFIXES) {
        add(Class::Tl, 0.6);
    }
    if !is_vowel(bytes[0]) && (&bytes[1..3] == b"um" || &bytes[1..3] == b"in") && is_vowel(bytes[3])
    {
        add(Class::Tl, 0.4);
    }
    if !is_vowel(bytes[0]) && is_vowel(bytes[1]) && bytes[0..2] == bytes[2..4] {
        add(Class::Tl, 0.6);
    }
    if pairs.ng_not_ing || pairs.aa {
        add(Class::Tl, 0.3);
    }

    // Greeklish: ω as w after a consonant, θ and ξ as 8 and 3, η as final h, verb endings.
    let last = bytes[len - 1];
    let before_last = bytes[len - 2];
    if last == b'w' && !is_vowel(before_last) && before_last != b'w' {
        add(Class::Greeklish, 1.0);
    }
    if bytes.iter().any(|&b| b == b'8' || b == b'3') && bytes.iter().any(u8::is_ascii_alphabetic) {
        add(Class::Greeklish, 1.0);
    }
    if last == b'h' && !matches!(before_last, b't' | b'g' | b's' | b'c' | b'p') {
        add(Class::Greeklish, 0.5);
    }
    if affixes.ends(GREEKLISH_ENDINGS) {
        add(Class::Greeklish, 0.5);
    }
    if affixes.starts(GREEKLISH_PREFIXES) {
        add(Class::Greeklish, 0.5);
    }
}

/// The bytes of an ASCII word: letters, digits and the apostrophe (a table lookup per byte).
const ASCII_WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'\'';
        b += 1;
    }
    table
};

/// Detection reads at most 1,000 chars; a buffer past this (a long text's first 1,000 chars of
/// ASCII fit) is freed rather than kept.
const LOWER_MAX_BYTES: usize = 4096;

thread_local! {
    static LOWER: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Calls `on_letter` with every non-ASCII char (for letter evidence) and `on_word` with every
/// word folded like [`crate::fold`] (lowercase, no diacritics), apostrophes kept inside words.
/// Folds word by word into one buffer instead of allocating a folded copy of the text.
fn for_each_folded_word(
    text: &str,
    mut on_letter: impl FnMut(char),
    mut on_word: impl FnMut(&str),
) {
    let mut emit = |word: &str| {
        // Most words neither begin nor end with an apostrophe: no trimming call for them.
        let trimmed = match word.as_bytes() {
            [] => return,
            [b'\'', ..] | [.., b'\''] => word.trim_matches('\''),
            _ => word,
        };
        if !trimmed.is_empty() {
            on_word(trimmed);
        }
    };
    let is_word_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'\'';
    if text.is_ascii() {
        // No letter evidence (only non-ASCII letters carry any) and folding is lowercasing: the
        // words are slices of one lowercased copy, kept per thread (allocating it per text cost
        // more than lowercasing).
        let mut lower = LOWER.with(|cell| cell.take());
        lower.clear();
        lower.push_str(text);
        lower.make_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && !ASCII_WORD_BYTES[usize::from(bytes[i])] {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && ASCII_WORD_BYTES[usize::from(bytes[i])] {
                i += 1;
            }
            emit(&lower[start..i]);
        }
        if lower.capacity() <= LOWER_MAX_BYTES {
            // A thread that is exiting has no place to keep it.
            let _ = LOWER.try_with(|cell| cell.set(lower));
        }
        return;
    }
    let mut word = String::with_capacity(32);
    let mut flush = |word: &mut String| {
        emit(word);
        word.clear();
    };
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii() {
            // A run of ASCII word chars is copied and lowercased at once, not char by char.
            let run = rest.bytes().take_while(is_word_byte).count();
            if run == 0 {
                flush(&mut word);
                rest = &rest[1..];
            } else {
                let from = word.len();
                word.push_str(&rest[..run]);
                word[from..].make_ascii_lowercase();
                rest = &rest[run..];
            }
            continue;
        }
        rest = &rest[c.len_utf8()..];
        on_letter(c);
        let mut breaks = false;
        fold_char(c, |folded| {
            if folded.is_alphanumeric() || folded == '\'' {
                word.push(folded);
            } else {
                breaks = true;
            }
        });
        if breaks {
            flush(&mut word);
        }
    }
    flush(&mut word);
}

/// The word table is a fixed set of short keys, so a fast non-keyed hash is safe. Each word has
/// its weight per class and a bit mask of the classes with a weight above zero (most words
/// belong to one or two of the seventeen classes; the mask spares a pass over all of them).
type WordTable = HashMap<&'static str, ([f32; CLASS_COUNT], u32), FxBuildHasher>;

fn word_table() -> &'static WordTable {
    static TABLE: OnceLock<WordTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = WordTable::default();
        for list in WORD_LISTS {
            let index = class_index(list.class);
            for (words, weight) in [(list.strong, STRONG_WEIGHT), (list.common, COMMON_WEIGHT)] {
                for word in words.split_whitespace() {
                    let entry = table.entry(word).or_insert(([0.0; CLASS_COUNT], 0));
                    let slot = &mut entry.0[index];
                    *slot = slot.max(weight);
                    if *slot > 0.0 {
                        entry.1 |= 1 << index;
                    }
                }
            }
        }
        table
    })
}

/// `word.split_once('\'')` by a byte loop: words are short, and the `memchr` call behind
/// `split_once` cost more than the search.
fn split_at_apostrophe(word: &str) -> Option<(&str, &str)> {
    let at = word.bytes().position(|b| b == b'\'')?;
    Some((&word[..at], &word[at + 1..]))
}

/// The entry of a Tagalog word that `word` is with the linker -ng attached, if any.
fn linked_tagalog_word<'t>(table: &'t WordTable, word: &str) -> Option<&'t [f32; CLASS_COUNT]> {
    let base = word.strip_suffix("ng")?;
    let (weights, _) = table.get(base)?;
    (weights[class_index(Class::Tl)] > 0.0 && base.ends_with(['a', 'e', 'i', 'o', 'u']))
        .then_some(weights)
}

fn class_index(class: Class) -> usize {
    // CLASSES lists the variants in declaration order (checked by a test).
    class as usize
}

/// Evidence for every class. The `beyond_english`
/// fields count only evidence English does not share, to tell Taglish from English that
/// happens to contain "to", "me" or "at".
#[derive(Debug, Clone)]
pub(super) struct LatinScores {
    scores: [f32; CLASS_COUNT],
    scores_beyond_english: [f32; CLASS_COUNT],
    known_beyond_english: [u32; CLASS_COUNT],
}

impl LatinScores {
    pub(super) fn of(text: &str) -> LatinScores {
        let mut result = LatinScores {
            scores: [0.0; CLASS_COUNT],
            scores_beyond_english: [0.0; CLASS_COUNT],
            known_beyond_english: [0; CLASS_COUNT],
        };
        let english = class_index(Class::En);
        let table = word_table();
        let mut letters = [0.0f32; CLASS_COUNT];
        for_each_folded_word(
            text,
            |c| letter_evidence(c, |class, weight| letters[class_index(class)] += weight),
            |word| {
                if word.bytes().all(|b| b.is_ascii_digit()) {
                    return;
                }
                if let Some((weights, classes)) = table.get(word) {
                    let not_english = weights[english] == 0.0;
                    // The classes with a weight above zero, in index order.
                    let mut rest = *classes;
                    while rest != 0 {
                        let index = rest.trailing_zeros() as usize;
                        rest &= rest - 1;
                        result.add(index, weights[index], not_english);
                        if not_english {
                            result.known_beyond_english[index] += 1;
                        }
                    }
                } else if let Some(weights) = linked_tagalog_word(table, word) {
                    // Tagalog joins a word to the next with -ng ("kong", "siyang", "ibang").
                    let tagalog = class_index(Class::Tl);
                    result.add(tagalog, weights[tagalog], true);
                    result.known_beyond_english[tagalog] += 1;
                } else if let Some((head, tail)) = split_at_apostrophe(word) {
                    // Contractions the list does not know ("n'am", "l'ai"): score the parts.
                    for (weights, _) in [head, tail].iter().filter_map(|part| table.get(part)) {
                        let not_english = weights[english] == 0.0;
                        for (index, &weight) in weights.iter().enumerate() {
                            result.add(index, weight * 0.5, not_english);
                        }
                    }
                } else {
                    shape_evidence(word, |class, weight| {
                        result.add(class_index(class), weight, class != Class::En)
                    });
                }
            },
        );
        for (index, weight) in letters.into_iter().enumerate() {
            result.add(index, weight, true);
        }
        result
    }

    fn add(&mut self, index: usize, weight: f32, not_english: bool) {
        self.scores[index] += weight;
        if not_english {
            self.scores_beyond_english[index] += weight;
        }
    }

    pub(super) fn score_beyond_english(&self, class: Class) -> f32 {
        self.scores_beyond_english[class_index(class)]
    }

    pub(super) fn known_beyond_english(&self, class: Class) -> u32 {
        self.known_beyond_english[class_index(class)]
    }

    pub(super) fn score(&self, class: Class) -> f32 {
        self.scores[class_index(class)]
    }

    /// The best class and its score, and the best score among the others.
    pub(super) fn ranking(&self) -> (Class, f32, f32) {
        let mut best = (Class::En, f32::MIN);
        let mut second = f32::MIN;
        for (class, &score) in CLASSES.iter().zip(&self.scores) {
            if score > best.1 {
                second = best.1;
                best = (*class, score);
            } else if score > second {
                second = score;
            }
        }
        (best.0, best.1, second.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_word_is_listed_twice_for_one_language() {
        for list in WORD_LISTS {
            let mut words: Vec<&str> = list
                .strong
                .split_whitespace()
                .chain(list.common.split_whitespace())
                .collect();
            let count = words.len();
            words.sort_unstable();
            words.dedup();
            assert_eq!(words.len(), count, "{:?}", list.class);
        }
    }

    #[test]
    fn classes_are_listed_in_declaration_order() {
        for (index, class) in CLASSES.iter().enumerate() {
            assert_eq!(class_index(*class), index);
        }
    }

    /// The letter pairs by the plain definition: a `match` per window.
    fn pairs_by_match(bytes: &[u8]) -> Pairs {
        let mut pairs = Pairs::default();
        for (i, window) in bytes.windows(2).enumerate() {
            match (window[0], window[1]) {
                (b't', b'h') => pairs.th = true,
                (b'c', b'k') => pairs.ck = true,
                (b'g', b'h') => pairs.ght |= bytes.get(i + 2) == Some(&b't'),
                (b'e', b'e') | (b'o', b'o') => pairs.double_e_or_o = true,
                (b'o', b'a') => pairs.oa = true,
                (b'u', b'a') => pairs.ua = true,
                (b'a', b'a') => pairs.aa = true,
                (b'n', b'g') => pairs.ng_not_ing |= i == 0 || bytes[i - 1] != b'i',
                _ => {}
            }
        }
        pairs
    }

    #[test]
    fn letter_pairs_match_the_plain_definition() {
        // Every word of up to four letters over an alphabet with each pair's letters (and 'x'),
        // so each pair appears at the start, middle and end, next to each other pair.
        let alphabet = b"thckgeoaunix";
        let mut words: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, Vec::len))
                .flat_map(|w| alphabet.iter().map(move |&c| [w.as_slice(), &[c]].concat()))
                .collect();
            words.extend(longer);
        }
        words
            .extend(["ghtng", "inging", "nght", "thinking", "eeoo"].map(|w| w.as_bytes().to_vec()));
        for word in &words {
            assert_eq!(
                Pairs::of(word),
                pairs_by_match(word),
                "{:?}",
                String::from_utf8_lossy(word)
            );
        }
    }

    #[test]
    fn apostrophe_split_is_split_once() {
        for word in [
            "n'am", "l'ai", "don't", "'a", "a'", "'", "a''b", "none", "", "ţ'ă",
        ] {
            assert_eq!(split_at_apostrophe(word), word.split_once('\''), "{word}");
        }
    }

    #[test]
    fn affix_masks_match_whole_words_and_tails() {
        let affixes = Affixes::of(b"talking");
        assert!(affixes.ends(&[suffix(b"ing")]));
        assert!(!affixes.ends(&[suffix(b"tion")]));
        assert!(Affixes::of(b"nagbayad").starts(&[prefix(b"nag")]));
        assert!(!Affixes::of(b"bayad").starts(&[prefix(b"nag")]));
    }

    #[test]
    fn words_are_folded_and_split_like_fold() {
        let mut words = Vec::new();
        let mut letters = Vec::new();
        for_each_folded_word(
            "Mulţumesc, AŞTEPT răspuns! don't 'quoted'",
            |c| letters.push(c),
            |w| words.push(w.to_owned()),
        );
        assert_eq!(words, ["multumesc", "astept", "raspuns", "don't", "quoted"]);
        assert_eq!(letters, ['ţ', 'Ş', 'ă']);
    }

    #[test]
    fn shapes_point_at_the_right_language() {
        let best = |word: &str| {
            let mut scores = [0.0f32; CLASS_COUNT];
            shape_evidence(word, |class, weight| scores[class_index(class)] += weight);
            let (index, _) = scores
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap();
            CLASSES[index]
        };
        assert_eq!(best("thinking"), Class::En);
        assert_eq!(best("produsului"), Class::Ro);
        assert_eq!(best("nagbabayad"), Class::Tl);
        assert_eq!(best("thelw"), Class::Greeklish);
    }
}
