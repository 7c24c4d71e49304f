//! Accounts and sessions.

use super::*;

contract!(
    accounts_create_and_look_up,
    accounts_refuse_a_taken_user_name,
    accounts_list_in_byte_order,
    disabling_an_account_ends_its_sessions,
    setting_a_password_ends_the_sessions,
    has_admin_ignores_disabled_admins,
    sessions_round_trip_until_they_expire,
    sessions_refuse_duplicates_and_unknown_users,
    an_unknown_session_kind_is_corrupt,
    purging_sessions_counts_the_expired,
);

// Accounts

async fn accounts_create_and_look_up(store: &Store) {
    let mut new = new_user("zhang.wei", Role::Investigator);
    new.agency = Some("刑侦大队".to_owned());
    let created = store
        .create_user(&new, vec![pingan_testkit::entry("test")])
        .await
        .expect("create");
    assert_eq!(created.id, new.id);
    assert_eq!(created.username, "zhang.wei");
    assert_eq!(created.role, Role::Investigator);
    assert!(!created.disabled);

    let found = store
        .user_by_username("zhang.wei")
        .await
        .expect("lookup")
        .expect("the user exists");
    assert_eq!(found.user, created);
    assert_eq!(found.password_hash, "hash-of-zhang.wei");
    assert!(store
        .user_by_username("nobody")
        .await
        .expect("lookup")
        .is_none());
    // User names are compared exactly, not case-folded.
    assert!(store
        .user_by_username("Zhang.Wei")
        .await
        .expect("lookup")
        .is_none());
}

async fn accounts_refuse_a_taken_user_name(store: &Store) {
    store
        .create_user(
            &new_user("li.na", Role::Operator),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    let mut again = new_user("li.na", Role::Admin);
    again.id = UserId::new("another-id");
    assert_duplicate(
        store
            .create_user(&again, vec![pingan_testkit::entry("test")])
            .await,
        "user",
    );
    let users = store.list_users().await.expect("list");
    assert_eq!(users.len(), 1);
    assert_eq!(
        users[0].role,
        Role::Operator,
        "the first account is untouched"
    );
}

async fn accounts_list_in_byte_order(store: &Store) {
    let names = [
        "zhang.wei",
        "li.na",
        "admin",
        "a_b",
        "a-b",
        "a.b",
        "Zed",
        "ab",
    ];
    for name in names {
        store
            .create_user(
                &new_user(name, Role::Officer),
                vec![pingan_testkit::entry("test")],
            )
            .await
            .expect("create");
    }
    let listed: Vec<String> = store
        .list_users()
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username)
        .collect();
    let mut expected: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    expected.sort();
    assert_eq!(
        listed, expected,
        "both backends order user names by their bytes"
    );
}

async fn disabling_an_account_ends_its_sessions(store: &Store) {
    let user = store
        .create_user(
            &new_user("wang.fang", Role::Officer),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    let other = store
        .create_user(
            &new_user("chen.jie", Role::Officer),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    let now = Timestamp(1_000);
    for (token, owner) in [("s1", &user.id), ("s2", &user.id), ("s3", &other.id)] {
        store
            .create_session(&session(token, owner, 1_000_000))
            .await
            .expect("session");
    }

    let disabled = store
        .set_user_disabled("wang.fang", true, vec![pingan_testkit::entry("test")])
        .await
        .expect("disable");
    assert!(disabled.disabled);
    assert_eq!(disabled.id, user.id);
    assert!(store.session("s1", now).await.expect("lookup").is_none());
    assert!(store.session("s2", now).await.expect("lookup").is_none());
    assert!(
        store.session("s3", now).await.expect("lookup").is_some(),
        "others keep theirs"
    );
    let found = store
        .user_by_username("wang.fang")
        .await
        .expect("lookup")
        .expect("user");
    assert!(found.user.disabled);

    // A session that somehow exists for a disabled account still does not authenticate.
    store
        .create_session(&session("late", &user.id, 1_000_000))
        .await
        .expect("session");
    assert!(store.session("late", now).await.expect("lookup").is_none());

    let enabled = store
        .set_user_disabled("wang.fang", false, vec![pingan_testkit::entry("test")])
        .await
        .expect("enable");
    assert!(!enabled.disabled);
    assert!(
        store.session("s1", now).await.expect("lookup").is_none(),
        "ended for good"
    );
    assert_not_found(
        store
            .set_user_disabled("nobody", true, vec![pingan_testkit::entry("test")])
            .await,
        "user",
    );
}

async fn setting_a_password_ends_the_sessions(store: &Store) {
    let user = store
        .create_user(
            &new_user("zhao.lei", Role::Analyst),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    let other = store
        .create_user(
            &new_user("sun.li", Role::Analyst),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    store
        .create_session(&session("a", &user.id, 1_000_000))
        .await
        .expect("session");
    store
        .create_session(&session("b", &other.id, 1_000_000))
        .await
        .expect("session");

    store
        .set_password("zhao.lei", "new-hash", vec![pingan_testkit::entry("test")])
        .await
        .expect("set password");
    let found = store
        .user_by_username("zhao.lei")
        .await
        .expect("lookup")
        .expect("user");
    assert_eq!(found.password_hash, "new-hash");
    assert!(!found.user.disabled);
    assert!(store
        .session("a", Timestamp(0))
        .await
        .expect("lookup")
        .is_none());
    assert!(store
        .session("b", Timestamp(0))
        .await
        .expect("lookup")
        .is_some());
    assert_not_found(
        store
            .set_password("nobody", "x", vec![pingan_testkit::entry("test")])
            .await,
        "user",
    );
}

async fn has_admin_ignores_disabled_admins(store: &Store) {
    assert!(!store.has_admin().await.expect("has_admin"));
    store
        .create_user(
            &new_user("ops", Role::Operator),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    assert!(
        !store.has_admin().await.expect("has_admin"),
        "an operator is no admin"
    );
    store
        .create_user(
            &new_user("root", Role::Admin),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    assert!(store.has_admin().await.expect("has_admin"));
    store
        .set_user_disabled("root", true, vec![pingan_testkit::entry("test")])
        .await
        .expect("disable");
    assert!(
        !store.has_admin().await.expect("has_admin"),
        "a disabled admin does not count"
    );
    store
        .create_user(
            &new_user("root2", Role::Admin),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    assert!(store.has_admin().await.expect("has_admin"));
}

// Sessions

async fn sessions_round_trip_until_they_expire(store: &Store) {
    let user = store
        .create_user(
            &new_user("liu.yang", Role::Officer),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    let browser = session("browser-token", &user.id, 5_000_000);
    let bearer = Session {
        token_hash: "bearer-token".to_owned(),
        kind: SessionKind::Bearer,
        csrf_token: None,
        ..session("x", &user.id, 9_000_000)
    };
    store
        .create_session(&browser)
        .await
        .expect("browser session");
    store.create_session(&bearer).await.expect("bearer session");

    let (s, u) = store
        .session("browser-token", Timestamp(4_999_999))
        .await
        .expect("lookup")
        .expect("live one microsecond before expiry");
    assert_eq!(s, browser);
    assert_eq!(u, user);
    // Expired means `expires_at <= now`: at the instant itself the session is gone.
    assert!(store
        .session("browser-token", Timestamp(5_000_000))
        .await
        .expect("lookup")
        .is_none());
    assert!(store
        .session("browser-token", Timestamp(i64::MAX))
        .await
        .expect("lookup")
        .is_none());

    let (s, _) = store
        .session("bearer-token", Timestamp(0))
        .await
        .expect("lookup")
        .expect("live");
    assert_eq!(
        s, bearer,
        "the kind and an absent CSRF token come back as stored"
    );
    assert_eq!(s.kind, SessionKind::Bearer);
    assert!(store
        .session("no-such-token", Timestamp(0))
        .await
        .expect("lookup")
        .is_none());

    store.delete_session("bearer-token").await.expect("delete");
    assert!(store
        .session("bearer-token", Timestamp(0))
        .await
        .expect("lookup")
        .is_none());
    store
        .delete_session("bearer-token")
        .await
        .expect("deleting twice is fine");
}

async fn sessions_refuse_duplicates_and_unknown_users(store: &Store) {
    let user = store
        .create_user(
            &new_user("he.ming", Role::Officer),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    store
        .create_session(&session("t", &user.id, 10))
        .await
        .expect("session");
    assert_duplicate(
        store.create_session(&session("t", &user.id, 20)).await,
        "session",
    );
    let orphan = store
        .create_session(&session("o", &UserId::new("ghost"), 10))
        .await;
    assert!(
        orphan.is_err(),
        "a session needs an existing account (foreign keys are on)"
    );
}

async fn an_unknown_session_kind_is_corrupt(store: &Store) {
    let user = store
        .create_user(
            &new_user("ma.chao", Role::Officer),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) \
         VALUES ('odd', $1, 'cookie', NULL, 0, 100)",
    )
    .bind(user.id.as_str())
    .execute(store.pool())
    .await
    .expect("raw insert");
    match store.session("odd", Timestamp(1)).await {
        Err(StoreError::Corrupt(message)) => assert!(message.contains("cookie"), "{message}"),
        other => panic!("an unknown kind must be reported as corrupt, got {other:?}"),
    }
}

async fn purging_sessions_counts_the_expired(store: &Store) {
    let user = store
        .create_user(
            &new_user("gao.yan", Role::Officer),
            vec![pingan_testkit::entry("test")],
        )
        .await
        .expect("create");
    for (token, expires) in [("a", 10), ("b", 20), ("c", 30)] {
        store
            .create_session(&session(token, &user.id, expires))
            .await
            .expect("session");
    }
    assert_eq!(store.purge_sessions(Timestamp(9)).await.expect("purge"), 0);
    assert_eq!(
        store.purge_sessions(Timestamp(20)).await.expect("purge"),
        2,
        "<= now"
    );
    assert_eq!(store.purge_sessions(Timestamp(20)).await.expect("purge"), 0);
    assert!(store
        .session("c", Timestamp(25))
        .await
        .expect("lookup")
        .is_some());
    assert_eq!(
        store
            .purge_sessions(Timestamp(i64::MAX))
            .await
            .expect("purge"),
        1
    );
}
