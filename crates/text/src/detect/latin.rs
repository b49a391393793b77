//! Languages written in Latin letters: English, Romanian (with or without diacritics), Tagalog
//! and Taglish, Greeklish; and the widespread languages Calmdesk does not support, scored too so
//! that Spanish, German, Indonesian... come out as `und` instead of the nearest supported one.
//!
//! Evidence: function words (the most frequent words of a language cover 40–50% of any
//! sentence and survive missing diacritics), letters only some languages use, and word shapes
//! (affixes) for words no list knows.

use super::shape::shape_evidence;
use super::word_table::{Key, WordClasses, WordTable, word_table};
use crate::fold::fold_char;
use crate::swar;

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

pub(super) const CLASS_COUNT: usize = 17;
pub(super) const CLASSES: [Class; CLASS_COUNT] = [
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
pub(super) struct WordList {
    pub(super) class: Class,
    pub(super) strong: &'static str,
    pub(super) common: &'static str,
}

pub(super) const WORD_LISTS: &[WordList] = &[
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

/// What a byte is to the word scan.
const SEPARATOR: u8 = 0;
/// Letters, digits and the apostrophe.
const ASCII_WORD: u8 = 1;
const NOT_ASCII: u8 = 2;

const BYTE_KIND: [u8; 256] = {
    let mut table = [NOT_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_alphanumeric() || byte == b'\'' {
            ASCII_WORD
        } else {
            SEPARATOR
        };
        b += 1;
    }
    table
};

/// Calls `on_letter` with every char that is not ASCII (for letter evidence) and `on_word` with
/// every word of `text` from `start` up to and including the next ASCII separator (or the
/// end), folded like [`crate::fold`] (lowercase, no diacritics) char by char into a buffer,
/// apostrophes kept inside words but not at their edges; gives the index after the separator.
fn fold_words(
    text: &str,
    start: usize,
    folded: &mut Vec<u8>,
    mut on_letter: impl FnMut(char),
    mut on_word: impl FnMut(&[u8]),
) -> usize {
    let mut flush = |folded: &mut Vec<u8>| {
        let word = trim_apostrophes(folded);
        if !word.is_empty() {
            on_word(word);
        }
        folded.clear();
    };
    let mut rest = &text[start..];
    while let Some(c) = rest.chars().next() {
        if c.is_ascii() {
            let run = rest
                .bytes()
                .take_while(|&b| BYTE_KIND[usize::from(b)] == ASCII_WORD)
                .count();
            if run == 0 {
                flush(folded);
                return text.len() - rest.len() + 1;
            }
            folded.extend(rest[..run].bytes().map(|b| b.to_ascii_lowercase()));
            rest = &rest[run..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        on_letter(c);
        let mut breaks = false;
        fold_char(c, |folded_char| {
            if folded_char.is_alphanumeric() || folded_char == '\'' {
                let mut utf8 = [0; 4];
                folded.extend_from_slice(folded_char.encode_utf8(&mut utf8).as_bytes());
            } else {
                breaks = true;
            }
        });
        if breaks {
            flush(folded);
        }
    }
    flush(folded);
    text.len()
}

fn trim_apostrophes(word: &[u8]) -> &[u8] {
    let start = word.iter().position(|&b| b != b'\'').unwrap_or(word.len());
    let end = word
        .iter()
        .rposition(|&b| b != b'\'')
        .map_or(start, |last| last + 1);
    &word[start..end]
}

/// The listed word that `word` (with the key `key`, if it is short enough for one) is with the
/// Tagalog linker -ng attached ("kong", "siyang", "ibang"), if any.
fn linked_tagalog_word(table: &WordTable, word: &[u8], key: Option<Key>) -> Option<WordClasses> {
    let base = word.strip_suffix(b"ng").filter(|base| !base.is_empty())?;
    let base_key = match key {
        Some(key) => key.without_last(word.len(), 2),
        None => Key::of(base)?,
    };
    table.get(base_key).filter(|classes| classes.takes_linker())
}

pub(super) fn class_index(class: Class) -> usize {
    // CLASSES lists the variants in declaration order (checked by a test).
    class as usize
}

/// Evidence for every class. The `beyond_english`
/// fields count only evidence English does not share, to tell Taglish from English that
/// happens to contain "to", "me" or "at".
#[derive(Debug, Clone, PartialEq)]
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
        let table = word_table();
        let bytes = text.as_bytes();
        let mut letters = [0.0f32; CLASS_COUNT];
        let mut has_letter_evidence = false;
        let mut folded = Vec::new();
        // A run of ASCII word bytes between ASCII separators is a word as it is (keyed straight
        // from the text); only where a run meets a char that is not ASCII is the text folded.
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && BYTE_KIND[usize::from(bytes[i])] == SEPARATOR {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
            // The run's end from its first eight or sixteen bytes, which make its key; a byte
            // loop only past sixteen.
            let start = i;
            let low = swar::load(bytes, start);
            let (mut len, mut apostrophes) = swar::word_run(low);
            let mut high = 0;
            if len == 8 {
                high = swar::load(bytes, start + 8);
                let (high_len, high_apostrophes) = swar::word_run(high);
                len += high_len;
                apostrophes |= high_apostrophes;
                if len == 16 {
                    while start + len < bytes.len()
                        && BYTE_KIND[usize::from(bytes[start + len])] == ASCII_WORD
                    {
                        len += 1;
                    }
                }
            }
            i = start + len;
            if i < bytes.len() && BYTE_KIND[usize::from(bytes[i])] == NOT_ASCII {
                i = fold_words(
                    text,
                    start,
                    &mut folded,
                    |c| {
                        has_letter_evidence = true;
                        letter_evidence(c, |class, weight| letters[class_index(class)] += weight);
                    },
                    |word| result.add_word(table, word, Key::of(word), word.contains(&b'\'')),
                );
            } else if len <= Key::MAX_BYTES {
                let key = Key::of_ascii_halves_lowercased(low, high, len);
                result.add_short_ascii_word(table, bytes, start, len, key, apostrophes != 0);
            } else {
                result.add_ascii_word_with_apostrophes(table, bytes, start, i);
            }
        }
        if has_letter_evidence {
            for (index, weight) in letters.into_iter().enumerate() {
                result.add(index, weight, true);
            }
        }
        result
    }

    /// Adds the evidence of the word `text[start..start + len]` of ASCII text (a run of
    /// letters, digits and apostrophes), lowercased and without apostrophes at its edges; `key`
    /// is the key of the whole run, `apostrophe` whether it has one.
    #[inline(always)]
    fn add_short_ascii_word(
        &mut self,
        table: &WordTable,
        text: &[u8],
        start: usize,
        len: usize,
        key: Key,
        apostrophe: bool,
    ) {
        // Most words have no apostrophe: nothing to trim, no contraction to split.
        if apostrophe {
            self.add_ascii_word_with_apostrophes(table, text, start, start + len);
        } else {
            self.add_word(table, &key.bytes()[..len], Some(key), false);
        }
    }

    /// Adds the evidence of a run of ASCII letters, digits and apostrophes that has
    /// apostrophes or is too long for a key.
    #[inline(never)]
    fn add_ascii_word_with_apostrophes(
        &mut self,
        table: &WordTable,
        text: &[u8],
        start: usize,
        end: usize,
    ) {
        let run = &text[start..end];
        let word = trim_apostrophes(run);
        if word.is_empty() {
            return;
        }
        let start = start + run.iter().position(|&b| b != b'\'').unwrap_or(0);
        let len = word.len();
        let apostrophe = word.contains(&b'\'');
        if len <= Key::MAX_BYTES {
            let key = Key::of_ascii_word_lowercased(text, start, len);
            self.add_word(table, &key.bytes()[..len], Some(key), apostrophe);
        } else {
            self.add_word(table, &word.to_ascii_lowercase(), None, apostrophe);
        }
    }

    /// Adds the evidence of a folded word, `key` being its key if it is short enough for one;
    /// `apostrophe` says whether it has one (inside: it has none at its edges).
    #[inline(always)]
    fn add_word(&mut self, table: &WordTable, word: &[u8], key: Option<Key>, apostrophe: bool) {
        // Looked up before the digits test: no listed word is all digits (checked by a test).
        match key.and_then(|key| table.get(key)) {
            Some(classes) => self.add_listed_word(classes),
            None => self.add_unlisted_word(table, word, key, apostrophe),
        }
    }

    fn add_listed_word(&mut self, classes: WordClasses) {
        self.add_word_classes(classes, 1.0, true);
    }

    /// Adds `share` of the word's weight for each class that lists it, in index order (the
    /// order of the plain algorithm's sums, so that every score bit stays the same; `× 1.0` is
    /// exact). `known`: the word also counts as a known word beyond English.
    #[inline(always)]
    fn add_word_classes(&mut self, classes: WordClasses, share: f32, known: bool) {
        let not_english = !classes.is_english();
        let mut rest = classes.classes;
        while rest != 0 {
            let index = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            self.add(index, classes.weight(index) * share, not_english);
            if known && not_english {
                self.known_beyond_english[index] += 1;
            }
        }
    }

    #[inline(never)]
    fn add_unlisted_word(
        &mut self,
        table: &WordTable,
        word: &[u8],
        key: Option<Key>,
        apostrophe: bool,
    ) {
        if word.iter().all(u8::is_ascii_digit) {
            return;
        }
        let tagalog = class_index(Class::Tl);
        if let Some(classes) = linked_tagalog_word(table, word, key) {
            self.add(tagalog, classes.weight(tagalog), true);
            self.known_beyond_english[tagalog] += 1;
        } else if let Some(at) = apostrophe
            .then(|| word.iter().position(|&b| b == b'\''))
            .flatten()
        {
            // Contractions the list does not know ("n'am", "l'ai"): score the parts at half
            // weight (the other classes would add a zero, which changes no score).
            for part in [&word[..at], &word[at + 1..]] {
                if let Some(classes) = Key::of(part).and_then(|key| table.get(key)) {
                    self.add_word_classes(classes, 0.5, false);
                }
            }
        } else {
            shape_evidence(word, |class, weight| {
                self.add(class_index(class), weight, class != Class::En);
            });
        }
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
        let mut best = (0, f32::MIN);
        let mut second = f32::MIN;
        for (index, &score) in self.scores.iter().enumerate() {
            if score > best.1 {
                second = best.1;
                best = (index, score);
            } else if score > second {
                second = score;
            }
        }
        (CLASSES[best.0], best.1, second.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::shape::tests::plain_shape_evidence;
    use std::collections::HashMap;

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

    /// Every listed word has a key (short ASCII without zero bytes) and a letter (the scan skips
    /// words that are all digits before it looks them up).
    #[test]
    fn listed_words_have_keys_and_letters() {
        for list in WORD_LISTS {
            for word in list
                .strong
                .split_whitespace()
                .chain(list.common.split_whitespace())
            {
                assert!(word.is_ascii() && !word.contains('\0'), "{word}");
                assert!(Key::of(word.as_bytes()).is_some(), "{word}");
                assert!(!word.bytes().all(|b| b.is_ascii_digit()), "{word}");
            }
        }
    }

    #[test]
    fn words_are_folded_and_split_like_fold() {
        let text = "Mulţumesc, AŞTEPT răspuns! don't 'quoted' ''";
        let mut words = Vec::new();
        let mut letters = Vec::new();
        let mut start = 0;
        while start < text.len() {
            start = fold_words(
                text,
                start,
                &mut Vec::new(),
                |c| letters.push(c),
                |word| words.push(String::from_utf8(word.to_vec()).unwrap()),
            );
        }
        assert_eq!(words, ["multumesc", "astept", "raspuns", "don't", "quoted"]);
        assert_eq!(letters, ['ţ', 'Ş', 'ă']);
    }

    /// The scores by the plain definition: the text folded char by char into words, a
    /// `HashMap` from each listed word to its weight per class, and string affix tests.
    fn plain_scores(text: &str) -> LatinScores {
        let mut table: HashMap<&str, [f32; CLASS_COUNT]> = HashMap::new();
        for list in WORD_LISTS {
            for (words, weight) in [(list.strong, 2.0f32), (list.common, 1.0)] {
                for word in words.split_whitespace() {
                    let weights = table.entry(word).or_insert([0.0; CLASS_COUNT]);
                    let slot = &mut weights[class_index(list.class)];
                    *slot = slot.max(weight);
                }
            }
        }
        let mut letters = [0.0f32; CLASS_COUNT];
        let mut words = vec![String::new()];
        for c in text.chars() {
            if c.is_ascii_alphanumeric() || c == '\'' {
                words.last_mut().unwrap().push(c.to_ascii_lowercase());
            } else if c.is_ascii() {
                words.push(String::new());
            } else {
                letter_evidence(c, |class, weight| letters[class_index(class)] += weight);
                let mut breaks = false;
                fold_char(c, |folded| {
                    if folded.is_alphanumeric() || folded == '\'' {
                        words.last_mut().unwrap().push(folded);
                    } else {
                        breaks = true;
                    }
                });
                if breaks {
                    words.push(String::new());
                }
            }
        }
        let mut result = LatinScores {
            scores: [0.0; CLASS_COUNT],
            scores_beyond_english: [0.0; CLASS_COUNT],
            known_beyond_english: [0; CLASS_COUNT],
        };
        let english = class_index(Class::En);
        let tagalog = class_index(Class::Tl);
        for word in &words {
            let word = word.trim_matches('\'');
            if word.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let linked = word.strip_suffix("ng").and_then(|base| {
                table.get(base).filter(|weights| {
                    weights[tagalog] > 0.0 && base.ends_with(['a', 'e', 'i', 'o', 'u'])
                })
            });
            if let Some(weights) = table.get(word) {
                let not_english = weights[english] == 0.0;
                for (index, &weight) in weights.iter().enumerate() {
                    if weight > 0.0 {
                        result.add(index, weight, not_english);
                        if not_english {
                            result.known_beyond_english[index] += 1;
                        }
                    }
                }
            } else if let Some(weights) = linked {
                result.add(tagalog, weights[tagalog], true);
                result.known_beyond_english[tagalog] += 1;
            } else if let Some((head, tail)) = word.split_once('\'') {
                for weights in [head, tail].iter().filter_map(|part| table.get(part)) {
                    let not_english = weights[english] == 0.0;
                    for (index, &weight) in weights.iter().enumerate() {
                        result.add(index, weight * 0.5, not_english);
                    }
                }
            } else {
                plain_shape_evidence(word, |class, weight| {
                    result.add(class_index(class), weight, class != Class::En)
                });
            }
        }
        for (index, weight) in letters.into_iter().enumerate() {
            result.add(index, weight, true);
        }
        result
    }

    /// Every float of the scores as bits (`==` on floats would take -0.0 for 0.0).
    fn bits(scores: &LatinScores) -> Vec<u32> {
        scores
            .scores
            .iter()
            .chain(&scores.scores_beyond_english)
            .map(|score| score.to_bits())
            .chain(scores.known_beyond_english)
            .collect()
    }

    /// Texts made of listed words, affixes, digits, apostrophes, addresses and non-ASCII
    /// letters in every case, joined by spaces and punctuation; a fixed pseudo-random sequence.
    fn tricky_texts() -> Vec<String> {
        let mut texts: Vec<String> = [
            "",
            " ",
            "'",
            "''a''",
            "don't DON'T Don’t n'am l'ai c'est j'ai wala'y sya'y it's'",
            "8elw 3erw kserw 3 8 33 1234 12'34 '90 90's a1b2",
            "kong siyang ibang yung ng 'ng ng' ang ang'ng nang ngng",
            "https://t.co/AbC123 @TeamYouTube www.example.com/path?q=1 name@mail.com",
            "THE And iS SHOULDN'T Hello WORLD",
            "abcdefghijklmnopqrstuvwxyz abcdefghijklmnop abcdefghijklmnopq ABCDEFGHIJKLMNOPQRSTU",
            "Mulţumesc, AŞTEPT răspuns! Fetițele au mâncat căpșunile.",
            "Δεν έχω παραλάβει 中文 😡 ｆｕｌｌ　ｗｉｄｔｈ ½ ǆ İstanbul ﬁne Straße",
            "the",
            "nagbabayad produsului thinking thelw mpla ntaksi walang",
        ]
        .map(String::from)
        .to_vec();
        let mut fragments: Vec<&str> = WORD_LISTS
            .iter()
            .flat_map(|list| {
                list.strong
                    .split_whitespace()
                    .chain(list.common.split_whitespace())
            })
            .step_by(5)
            .collect();
        fragments.extend([
            "ing", "tion", "ould", "ly", "ness", "ment", "ed", "ului", "ilor", "rile", "ele",
            "esc", "este", "eaza", "ul", "ii", "tie", "ati", "ti", "at", "it", "tia", "area", "ou",
            "eis", "oume", "ousa", "wh", "nag", "pina", "pang", "mp", "ts", "ks", "ght", "th",
            "ck", "ee", "oa", "ua", "aa", "ng", "um", "in", "w", "h", "8", "3", "0", "'", "’",
            "n't", "'s", "ă", "ș", "é", "ß", "Ω", "α", "中", "😡", "Ａ", "½", "ǆ", "İ", "ﬁ", "ñ",
            "ç", "http://", "@", "www.", ".", "-", "x", "q", "ABC", "Zz",
        ]);
        let separators = [
            " ", " ", " ", "  ", "\n", ", ", "-", "/", ":", "!", "\t", "’ ",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for round in 0..6000 {
            let ascii_only = round % 2 == 0;
            let mut text = String::new();
            for _ in 0..1 + next(if round % 50 == 0 { 400 } else { 30 }) {
                let mut word = String::new();
                for _ in 0..1 + next(3) {
                    word.push_str(fragments[next(fragments.len())]);
                }
                match next(4) {
                    0 => word = word.to_uppercase(),
                    1 => {
                        let mut chars = word.chars();
                        let first = chars.next().map(char::to_uppercase);
                        word = first.into_iter().flatten().chain(chars).collect();
                    }
                    _ => {}
                }
                if ascii_only && !word.is_ascii() {
                    continue;
                }
                text.push_str(&word);
                text.push_str(separators[next(separators.len())]);
            }
            if next(3) == 0 {
                text.pop();
            }
            texts.push(text);
        }
        texts
    }

    #[test]
    fn scores_match_the_plain_definition_bit_for_bit() {
        for text in tricky_texts() {
            assert_eq!(
                bits(&LatinScores::of(&text)),
                bits(&plain_scores(&text)),
                "{text:?}"
            );
        }
    }
}
