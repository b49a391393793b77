//! What goes into the search index and how a query becomes index terms. Both backends index the
//! same tokens (from `text::search_tokens`) and match a case when it holds every query token, so
//! they give the same answers by construction.

use std::collections::BTreeSet;

/// The newest matches only: ids below `before`, at most `limit` of them.
pub(crate) struct SearchPage {
    pub before: Option<i64>,
    pub limit: i64,
}

/// The distinct tokens of a case's searchable texts (subject, customer name, message bodies).
pub(crate) fn document_tokens<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    texts.into_iter().flat_map(text::search_tokens).collect()
}

/// The distinct tokens a case must all contain; empty when the query has no searchable word.
pub(crate) fn query_tokens(q: &str) -> Vec<String> {
    let distinct: BTreeSet<String> = text::search_tokens(q).into_iter().collect();
    distinct.into_iter().collect()
}

/// An FTS5 MATCH expression requiring every token. Each token is a quoted string (inner quotes
/// doubled), so no token can be read as FTS5 syntax (`OR`, `NEAR`, `*`, `-`, column filters).
pub(crate) fn fts5_all_of(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|token| format!("\"{}\"", token.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_tokens_are_distinct_and_cover_chinese_bigrams() {
        let tokens = document_tokens(["我要退款", "退款 refund", "Refund!"]);
        assert!(tokens.contains("退款"));
        assert!(tokens.contains("我要"));
        assert_eq!(tokens.iter().filter(|t| *t == "refund").count(), 1);
    }

    #[test]
    fn query_without_words_has_no_tokens() {
        assert!(query_tokens("?! …").is_empty());
        assert_eq!(query_tokens("Refund refund"), vec!["refund"]);
    }

    #[test]
    fn fts5_expression_quotes_every_token() {
        let tokens = vec!["or".to_owned(), "a\"b".to_owned(), "near".to_owned()];
        assert_eq!(fts5_all_of(&tokens), r#""or" AND "a""b" AND "near""#);
    }
}
