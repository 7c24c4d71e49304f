//! Devices and their keys.

use super::*;

contract!(
    devices_register_and_list,
    device_keys_of_disabled_devices_do_not_work,
    devices_read_in_one_batch,
    rotating_a_key_retires_the_old_one,
    touching_devices_never_moves_last_seen_back,
);

// Devices

async fn devices_register_and_list(store: &Store) {
    for (i, kind) in DeviceKind::ALL.into_iter().enumerate().rev() {
        let mut d = new_device(&format!("dev-{i}"), &format!("key-{i}"));
        d.kind = kind;
        let created = store
            .create_device(&d, vec![pingan_testkit::entry("test")])
            .await
            .expect("create");
        assert_eq!(created.kind, kind);
        assert_eq!(created.last_seen_at, None);
        assert!(!created.disabled);
    }
    let listed = store.list_devices().await.expect("list");
    let ids: Vec<&str> = listed.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        ["dev-0", "dev-1", "dev-2", "dev-3", "dev-4"],
        "ordered by id"
    );
    assert_eq!(listed[0].kind, DeviceKind::ALL[0]);

    assert_duplicate(
        store
            .create_device(
                &new_device("dev-0", "fresh-key"),
                vec![pingan_testkit::entry("test")],
            )
            .await,
        "device",
    );
    assert_duplicate(
        store
            .create_device(
                &new_device("dev-new", "key-1"),
                vec![pingan_testkit::entry("test")],
            )
            .await,
        "device",
    );
    assert_eq!(store.list_devices().await.expect("list").len(), 5);
}

async fn device_keys_of_disabled_devices_do_not_work(store: &Store) {
    let created = store
        .create_device(
            &new_device("cam-1", "k1"),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    assert_eq!(
        store.device_by_key("k1").await.expect("lookup"),
        Some(created)
    );
    assert!(store.device_by_key("k2").await.expect("lookup").is_none());

    let disabled = store
        .set_device_disabled(
            &DeviceId::new("cam-1"),
            true,
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("disable");
    assert!(disabled.disabled);
    assert!(store.device_by_key("k1").await.expect("lookup").is_none());
    let enabled = store
        .set_device_disabled(
            &DeviceId::new("cam-1"),
            false,
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("enable");
    assert!(!enabled.disabled);
    assert!(store.device_by_key("k1").await.expect("lookup").is_some());
    assert_not_found(
        store
            .set_device_disabled(
                &DeviceId::new("nope"),
                true,
                vec![pingan_testkit::entry("test")],
            )
            .await,
        "device",
    );
}

async fn devices_read_in_one_batch(store: &Store) {
    for id in ["a", "b", "c"] {
        store
            .create_device(
                &new_device(id, &format!("key-{id}")),
                vec![pingan_testkit::entry("test")],
            )
            .await
            .expect("create");
    }
    store
        .set_device_disabled(
            &DeviceId::new("c"),
            true,
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("disable");
    let ids = |xs: &[&str]| xs.iter().map(|x| DeviceId::new(*x)).collect::<Vec<_>>();
    let got = store
        .devices(&ids(&["c", "missing", "a", "a"]))
        .await
        .expect("batch");
    let got: Vec<(&str, bool)> = got.iter().map(|d| (d.id.as_str(), d.disabled)).collect();
    assert_eq!(
        got,
        [("a", false), ("c", true)],
        "missing ids are left out, no duplicates"
    );
    assert!(store.devices(&[]).await.expect("empty batch").is_empty());
    assert!(store
        .devices(&ids(&["x", "y"]))
        .await
        .expect("batch")
        .is_empty());
}

async fn rotating_a_key_retires_the_old_one(store: &Store) {
    store
        .create_device(
            &new_device("gps-1", "old"),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    store
        .create_device(
            &new_device("gps-2", "other"),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    store
        .rotate_device_key(
            &DeviceId::new("gps-1"),
            "new",
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("rotate");
    assert!(store.device_by_key("old").await.expect("lookup").is_none());
    let found = store
        .device_by_key("new")
        .await
        .expect("lookup")
        .expect("new key works");
    assert_eq!(found.id.as_str(), "gps-1");
    assert_not_found(
        store
            .rotate_device_key(
                &DeviceId::new("nope"),
                "k",
                vec![pingan_testkit::entry("test")],
            )
            .await,
        "device",
    );
    // A key is held by one device only.
    assert_duplicate(
        store
            .rotate_device_key(
                &DeviceId::new("gps-1"),
                "other",
                vec![pingan_testkit::entry("test")],
            )
            .await,
        "device",
    );
    assert!(store.device_by_key("new").await.expect("lookup").is_some());
}

async fn touching_devices_never_moves_last_seen_back(store: &Store) {
    for id in ["a", "b", "c", "d"] {
        store
            .create_device(
                &new_device(id, &format!("key-{id}")),
                vec![pingan_testkit::entry("test")],
            )
            .await
            .expect("create");
    }
    let ids = |xs: &[&str]| xs.iter().map(|x| DeviceId::new(*x)).collect::<Vec<_>>();
    let seen = || async {
        let devices = store.list_devices().await.expect("list");
        devices
            .iter()
            .map(|d| d.last_seen_at.map(|t| t.0))
            .collect::<Vec<_>>()
    };
    store
        .touch_devices(&ids(&["a", "b"]), Timestamp(100))
        .await
        .expect("touch");
    assert_eq!(seen().await, [Some(100), Some(100), None, None]);
    store
        .touch_devices(&ids(&["a"]), Timestamp(50))
        .await
        .expect("touch");
    assert_eq!(
        seen().await,
        [Some(100), Some(100), None, None],
        "never backwards"
    );
    store
        .touch_devices(&ids(&["a", "c", "ghost"]), Timestamp(200))
        .await
        .expect("touch");
    assert_eq!(seen().await, [Some(200), Some(100), Some(200), None]);
    store
        .touch_devices(&[], Timestamp(999))
        .await
        .expect("empty touch");
    store
        .touch_devices(&ids(&["d"]), Timestamp(-5))
        .await
        .expect("touch");
    store
        .touch_devices(&ids(&["d"]), Timestamp(-6))
        .await
        .expect("touch");
    assert_eq!(seen().await, [Some(200), Some(100), Some(200), Some(-5)]);
}
