//! How long the model's per-customer work takes natively (create, chunk, save, summary,
//! merge): the floor under import and first-sync speed in the browser.
//! `cargo run --release -p crm-core --example model_cost`
use crm_core::automerge::ActorId;
use crm_core::customer::{Customer, CustomerDoc, Kind};
use crm_core::DocId;
use std::time::Instant;

fn main() {
    let n = 5_000;
    let actor = ActorId::from(vec![1u8; 20]);
    let t = Instant::now();
    let mut chunks = Vec::new();
    let mut saves = 0usize;
    for i in 0..n {
        let c = Customer { kind: Kind::Company, name: format!("Customer {i}"), email: format!("c{i}@x.example"), created_at: 1, ..Default::default() };
        let mut d = CustomerDoc::create_from(DocId::random(), actor.clone(), &c);
        chunks.push((d.id, d.take_chunk().unwrap()));
        saves += d.save().len();
        let _ = d.summary();
    }
    let create = t.elapsed();
    let t = Instant::now();
    for (id, c) in &chunks {
        let mut d = CustomerDoc::empty(*id, ActorId::from(vec![2u8; 20]));
        d.merge_chunk(c).unwrap();
        let _ = d.save();
        let _ = d.summary();
    }
    let merge = t.elapsed();
    let t = Instant::now();
    for (id, c) in chunks.iter().take(1000) {
        let mut d = CustomerDoc::empty(*id, ActorId::from(vec![2u8; 20]));
        d.merge_chunk(c).unwrap();
        let _ = d.customer();
    }
    let hydrate = t.elapsed();
    println!(
        "per customer: create+chunk+save+summary {:.3} ms, merge+save+summary {:.3} ms, merge+hydrate {:.3} ms; chunk {} B, save {} B",
        create.as_secs_f64() * 1000.0 / n as f64,
        merge.as_secs_f64() * 1000.0 / n as f64,
        hydrate.as_secs_f64() * 1000.0 / 1000.0,
        chunks[0].1.len(),
        saves / n
    );
}
