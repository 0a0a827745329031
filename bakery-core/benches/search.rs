//! How long ranking a whole catalog takes for one query: the cost `Bakery::search_products`
//! pays per request on top of loading the candidates. Run: `cargo bench -p bakery-core`.

use bakery_core::rules::search::{fold_words, relevance};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

const WORDS: [&str; 12] = [
    "croissant",
    "pain",
    "chocolat",
    "crème",
    "brûlée",
    "baguette",
    "sourdough",
    "almond",
    "tart",
    "brioche",
    "cinnamon",
    "roll",
];

fn catalog(size: usize) -> Vec<(String, String)> {
    (0..size)
        .map(|i| {
            let name = format!("{} {} {}", WORDS[i % 12], WORDS[(i / 12) % 12], i);
            let description = format!(
                "Baked daily with {} and {}",
                WORDS[(i + 3) % 12],
                WORDS[(i + 7) % 12]
            );
            (name, description)
        })
        .collect()
}

fn rank_catalog(c: &mut Criterion) {
    let mut group = c.benchmark_group("search_rank");
    for size in [100usize, 1_000, 10_000] {
        let products = catalog(size);
        let query = fold_words("creme brulee");
        group.bench_with_input(
            BenchmarkId::from_parameter(size),
            &products,
            |b, products| {
                b.iter(|| {
                    products
                        .iter()
                        .filter_map(|(n, d)| relevance(&query, n, d))
                        .count()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, rank_catalog);
criterion_main!(benches);
