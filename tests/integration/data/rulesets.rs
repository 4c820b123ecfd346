//! Every shipped ruleset's inputs read its sample file: the columns are all found and nearly
//! every row types cleanly (the samples hold a few deliberately bad rows).

use super::*;
use tier::ast::Item;
use tier::data::InputMapping;

#[test]
fn every_ruleset_reads_its_sample() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulesets");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    let mut tiers: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tier"))
        .collect();
    tiers.sort();
    let mut checked = 0;
    for tier_path in tiers {
        let stem = tier_path.file_stem().unwrap().to_string_lossy().to_string();
        let Some(sample) = ["csv", "gbk.csv", "xlsx", "json", "ndjson"]
            .iter()
            .map(|ext| root.join("samples").join(format!("{stem}.{ext}")))
            .find(|p| p.exists())
        else {
            continue;
        };
        let src = tier::source::SourceFile::read(&tier_path).unwrap();
        // Parse errors are the parser's tests' business.
        let Ok(ruleset) = tier::syntax::parse(&src) else {
            continue;
        };
        let mut fields = Vec::new();
        let mut scales = std::collections::HashMap::new();
        for item in &ruleset.items {
            match item {
                Item::Input(b) => fields.extend(b.fields.iter().cloned()),
                Item::Scale(s) => {
                    let labels: Vec<Arc<str>> = s
                        .labels
                        .iter()
                        .map(|l| Arc::from(l.name.as_str()))
                        .collect();
                    scales.insert(s.name.name.clone(), labels);
                }
                _ => {}
            }
        }
        let rows = open(&sample, &ReadOptions::default()).unwrap();
        let headers = rows.headers().to_vec();
        let lookup = |name: &str| scales.get(name).cloned();
        let name = sample.display().to_string();
        let (mapping, _warnings) = InputMapping::new(&fields, &headers, &lookup, &name)
            .unwrap_or_else(|e| {
                panic!(
                    "{stem}: {:?}",
                    e.iter().map(|d| &d.message).collect::<Vec<_>>()
                )
            });
        let (mut ok, mut bad) = (0, 0);
        for row in rows {
            let row = row.unwrap_or_else(|e| panic!("{stem}: {e}"));
            match mapping.parse_row(&row, &name) {
                Ok(values) => {
                    assert_eq!(values.len(), fields.len());
                    ok += 1;
                }
                Err(errors) => {
                    for e in &errors {
                        assert!(e.column.is_some() && !e.reason.is_empty(), "{e}");
                    }
                    bad += 1;
                }
            }
        }
        assert!(
            ok > 0 && ok >= 5 * bad,
            "{stem}: {ok} rows typed, {bad} rejected"
        );
        checked += 1;
    }
    assert!(checked > 0 || !root.join("samples").exists());
}
