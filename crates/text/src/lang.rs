use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language Calmdesk supports, or `Und` for anything else or unsure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "ro")]
    Ro,
    #[serde(rename = "zh-Hans")]
    ZhHans,
    #[serde(rename = "zh-Hant")]
    ZhHant,
    #[serde(rename = "tl")]
    Tl,
    #[serde(rename = "el")]
    El,
    #[serde(rename = "und")]
    Und,
}

impl Lang {
    /// The six real languages (everything except `Und`).
    pub const ALL: [Lang; 6] = [
        Lang::En,
        Lang::Ro,
        Lang::ZhHans,
        Lang::ZhHant,
        Lang::Tl,
        Lang::El,
    ];

    /// BCP 47 tag as used in the coach contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ro => "ro",
            Lang::ZhHans => "zh-Hans",
            Lang::ZhHant => "zh-Hant",
            Lang::Tl => "tl",
            Lang::El => "el",
            Lang::Und => "und",
        }
    }

    pub fn is_chinese(self) -> bool {
        matches!(self, Lang::ZhHans | Lang::ZhHant)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tag given to [`Lang::from_str`] names no language Calmdesk knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLangError(pub String);

impl fmt::Display for ParseLangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown language tag {:?}: expected one of en, ro, zh-Hans, zh-Hant, tl, el, und",
            self.0
        )
    }
}

impl std::error::Error for ParseLangError {}

impl FromStr for Lang {
    type Err = ParseLangError;

    /// Accepts the contract tags case-insensitively, plus the region tags people commonly send
    /// for the same scripts (zh-CN, zh-TW, zh-HK, fil).
    fn from_str(tag: &str) -> Result<Self, Self::Err> {
        let lower = tag.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match lower.as_str() {
            "en" => Lang::En,
            "ro" => Lang::Ro,
            "zh-hans" | "zh-cn" | "zh-sg" => Lang::ZhHans,
            "zh-hant" | "zh-tw" | "zh-hk" | "zh-mo" => Lang::ZhHant,
            "tl" | "fil" => Lang::Tl,
            "el" => Lang::El,
            "und" => Lang::Und,
            _ => return Err(ParseLangError(tag.to_owned())),
        })
    }
}

/// A detected language with how sure the detector is (0.0 = a guess, 1.0 = certain).
/// Callers should treat a confidence below about 0.5 as "ask or use what you already know".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub lang: Lang,
    pub confidence: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_through_str_and_serde() {
        for lang in Lang::ALL.into_iter().chain([Lang::Und]) {
            assert_eq!(lang.as_str().parse::<Lang>(), Ok(lang));
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{}\"", lang.as_str()));
            assert_eq!(serde_json::from_str::<Lang>(&json).unwrap(), lang);
        }
    }

    #[test]
    fn region_tags_and_case_are_accepted() {
        assert_eq!("zh-TW".parse::<Lang>(), Ok(Lang::ZhHant));
        assert_eq!("ZH_cn".parse::<Lang>(), Ok(Lang::ZhHans));
        assert_eq!("fil".parse::<Lang>(), Ok(Lang::Tl));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
    }

    #[test]
    fn unknown_tag_is_an_error_naming_it() {
        let err = "es".parse::<Lang>().unwrap_err();
        assert!(err.to_string().contains("\"es\""));
    }

    #[test]
    fn all_has_the_six_real_languages() {
        assert_eq!(Lang::ALL.len(), 6);
        assert!(!Lang::ALL.contains(&Lang::Und));
    }
}
