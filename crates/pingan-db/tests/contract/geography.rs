//! The geography, replaced whole and loaded in order.

use super::*;

contract!(
    geography_loads_in_insertion_order,
    geography_replace_is_all_or_nothing,
);

// Geography

async fn geography_loads_in_insertion_order(store: &Store) {
    assert!(store.load_geography().await.expect("load").is_empty());
    // Ids descend, so an id order would show; 450 rows cross the insert chunk twice.
    let features: Vec<FeatureRow> = (0..450).rev().map(feature).collect();
    store
        .replace_geography(&features, vec![pingan_testkit::entry("test")])
        .await
        .expect("replace");
    assert_eq!(store.load_geography().await.expect("load"), features);

    let smaller: Vec<FeatureRow> = [7, 3, 5].into_iter().map(feature).collect();
    store
        .replace_geography(&smaller, vec![pingan_testkit::entry("test")])
        .await
        .expect("replace");
    assert_eq!(
        store.load_geography().await.expect("load"),
        smaller,
        "replaced, not merged"
    );
    store
        .replace_geography(&[], vec![pingan_testkit::entry("test")])
        .await
        .expect("clear");
    assert!(store.load_geography().await.expect("load").is_empty());
}

async fn geography_replace_is_all_or_nothing(store: &Store) {
    let original: Vec<FeatureRow> = (0..10).map(feature).collect();
    store
        .replace_geography(&original, vec![pingan_testkit::entry("test")])
        .await
        .expect("replace");

    // The duplicate sits in the second insert chunk, after a first chunk went in.
    let mut late: Vec<FeatureRow> = (100..350).map(feature).collect();
    late[240].id = late[5].id.clone();
    assert_duplicate(
        store
            .replace_geography(&late, vec![pingan_testkit::entry("test")])
            .await,
        "feature",
    );
    assert_eq!(store.load_geography().await.expect("load"), original);

    let mut early: Vec<FeatureRow> = (100..110).map(feature).collect();
    early[9].id = early[0].id.clone();
    assert_duplicate(
        store
            .replace_geography(&early, vec![pingan_testkit::entry("test")])
            .await,
        "feature",
    );
    assert_eq!(store.load_geography().await.expect("load"), original);
}
