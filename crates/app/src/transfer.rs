//! Export and import of every case as JSON lines (one case with its customer, messages, events and
//! incident record per line), paged by id so memory stays flat on large databases.

use std::io::{BufRead, Write};

use domain::{CaseId, ExportRecord};

use crate::{App, AppError};

const EXPORT_PAGE: u32 = 500;

impl App {
    /// Writes every case, oldest id first; returns how many were written.
    pub async fn export_jsonl(&self, out: &mut dyn Write) -> Result<usize, AppError> {
        let mut after: Option<CaseId> = None;
        let mut written = 0;
        loop {
            let page = self.store.export_cases(after, EXPORT_PAGE).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = Some(last.case.id);
            for record in &page {
                out.write_all(record.to_jsonl_line().as_bytes())?;
                out.write_all(b"\n")?;
            }
            written += page.len();
        }
        out.flush()?;
        Ok(written)
    }

    /// Reads records written by [`App::export_jsonl`], one transaction per case, keeping ids.
    /// Stops at the first bad line and names it; cases before it stay imported.
    pub async fn import_jsonl(&self, input: &mut dyn BufRead) -> Result<usize, AppError> {
        let mut imported = 0;
        for (index, line) in input.lines().enumerate() {
            let line_number = index + 1;
            let at_line = |source: AppError| AppError::Import {
                line: line_number,
                source: Box::new(source),
            };
            let line = line.map_err(|err| at_line(err.into()))?;
            if line.trim().is_empty() {
                continue;
            }
            let record = ExportRecord::from_jsonl_line(&line, line_number)?;
            self.store
                .import_case(record)
                .await
                .map_err(|err| at_line(err.into()))?;
            imported += 1;
        }
        Ok(imported)
    }
}
