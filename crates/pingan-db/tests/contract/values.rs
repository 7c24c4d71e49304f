//! Migrations, and values that must come back exactly: times and Chinese text.

use super::*;

contract!(
    migrating_again_is_a_no_op,
    times_round_trip_exactly,
    chinese_text_round_trips,
);

// Migrations, times and text

async fn migrating_again_is_a_no_op(store: &Store) {
    store
        .create_user(
            &new_user("keep.me", Role::Admin),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    assert_eq!(store.migrate().await.expect("migrate"), 0);
    assert_eq!(store.migrate().await.expect("migrate"), 0);
    assert!(store
        .user_by_username("keep.me")
        .await
        .expect("lookup")
        .is_some());
}

#[test]
fn both_backends_embed_the_same_migrations() {
    let sqlite = Store::migration_list(Backend::Sqlite);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, Store::migration_list(Backend::Postgres));
}

async fn times_round_trip_exactly(store: &Store) {
    let times = [
        i64::MIN,
        -1_234_567_890_123_456,
        -1,
        0,
        1,
        1_700_000_000_123_457,
        i64::MAX,
    ];
    for (i, t) in times.iter().enumerate() {
        let mut u = new_user(&format!("t{i}"), Role::Officer);
        u.created_at = Timestamp(*t);
        store
            .create_user(&u, vec![pingan_testkit::entry("test")])
            .await
            .expect("create");
        let mut d = new_device(&format!("d{i}"), &format!("k{i}"));
        d.created_at = Timestamp(*t);
        store
            .create_device(&d, vec![pingan_testkit::entry("test")])
            .await
            .expect("create");
        store
            .touch_devices(&[d.id.clone()], Timestamp(*t))
            .await
            .expect("touch");
    }
    let users: Vec<i64> = store
        .list_users()
        .await
        .expect("list")
        .iter()
        .map(|u| u.created_at.0)
        .collect();
    assert_eq!(users, times);
    let devices = store.list_devices().await.expect("list");
    assert_eq!(
        devices.iter().map(|d| d.created_at.0).collect::<Vec<_>>(),
        times
    );
    let seen: Vec<Option<i64>> = devices
        .iter()
        .map(|d| d.last_seen_at.map(|t| t.0))
        .collect();
    assert_eq!(seen, times.map(Some));

    let user = store
        .user_by_username("t0")
        .await
        .expect("lookup")
        .expect("user")
        .user;
    let s = Session {
        created_at: Timestamp(i64::MIN),
        expires_at: Timestamp(i64::MAX),
        ..session("forever", &user.id, 0)
    };
    store.create_session(&s).await.expect("session");
    let (found, _) = store
        .session("forever", Timestamp(i64::MAX - 1))
        .await
        .expect("lookup")
        .expect("live");
    assert_eq!(found, s);
}

async fn chinese_text_round_trips(store: &Store) {
    let mut u = new_user("张伟", Role::AgencyDesk);
    u.display_name = "张伟（城管）".to_owned();
    u.agency = Some("城市管理局·执法大队".to_owned());
    let created = store
        .create_user(&u, vec![pingan_testkit::entry("test")])
        .await
        .expect("create");
    let found = store
        .user_by_username("张伟")
        .await
        .expect("lookup")
        .expect("user");
    assert_eq!(found.user, created);
    assert_eq!(found.user.agency.as_deref(), Some("城市管理局·执法大队"));

    let mut d = new_device("卡口-东门", "密钥");
    d.name = "东门卡口 🚓".to_owned();
    store
        .create_device(&d, vec![pingan_testkit::entry("test")])
        .await
        .expect("create");
    let got = store
        .device_by_key("密钥")
        .await
        .expect("lookup")
        .expect("device");
    assert_eq!(
        (got.id.as_str(), got.name.as_str()),
        ("卡口-东门", "东门卡口 🚓")
    );
    let batch = store
        .devices(&[DeviceId::new("卡口-东门")])
        .await
        .expect("batch");
    assert_eq!(batch, [got]);

    let f = FeatureRow {
        id: "街道-1".to_owned(),
        name: "崂山区中韩街道".to_owned(),
        parent: Some("崂山区".to_owned()),
        ..feature(1)
    };
    store
        .replace_geography(
            std::slice::from_ref(&f),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("replace");
    assert_eq!(store.load_geography().await.expect("load"), [f]);

    let mut e = entry("张伟", "车辆.查询", 0);
    e.reference = Some("案件-七".to_owned());
    store.append_audit(vec![e]).await.expect("append");
    let f = AuditFilter {
        actor: Some("张伟".to_owned()),
        reference: Some("案件-七".to_owned()),
        action_prefix: Some("车辆".to_owned()),
        ..all(10)
    };
    assert_eq!(store.audit_page(&f).await.expect("page").len(), 1);
}
