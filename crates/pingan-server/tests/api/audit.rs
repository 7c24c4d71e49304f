//! The audit ledger: what is written, who reads it, and that tampering is detected.

use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use pingan_core::access::Role;
use pingan_server::routes::audit::verify_store;
use pingan_testkit::both;

both!(
    writes_and_logins_are_audited_and_auditors_read_them,
    |app: TestApp| async move {
        let admin = app.token(Role::Admin).await;
        let auditor = app.token(Role::Auditor).await;
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/devices",
                Some(&admin),
                Some(serde_json::json!({"id": "gps-01", "kind": "unit", "name": "巡逻车 01"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        // A refused access is recorded too.
        let (s, _) = app
            .call(Method::GET, "/api/v1/audit", Some(&admin), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let (s, page) = app
            .call(
                Method::GET,
                "/api/v1/audit?limit=1000",
                Some(&auditor),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let actions: Vec<&str> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(actions.contains(&"auth.login"), "{actions:?}");
        assert!(actions.contains(&"device.create"), "{actions:?}");
        assert!(actions.contains(&"access.denied"), "{actions:?}");

        let (s, page) = app
            .call(
                Method::GET,
                "/api/v1/audit?action=device.&outcome=success",
                Some(&auditor),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(page["entries"].as_array().unwrap().len(), 1);
        assert_eq!(page["entries"][0]["object_id"], "gps-01");

        let (s, report) = app
            .call(Method::GET, "/api/v1/audit/verify", Some(&auditor), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(report["ok"], true, "{report}");
    }
);

/// Drops the append-only triggers, as someone with direct database access could.
async fn drop_guards(app: &TestApp) {
    let pool = app.state.store.pool();
    let stmts: &[&str] = match app.state.store.backend() {
        pingan_db::Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        pingan_db::Backend::Postgres => &["DROP TRIGGER audit_log_no_update ON audit_log"],
    };
    for s in stmts {
        sqlx::query(s).execute(pool).await.unwrap();
    }
}

async fn ledger_of_five(app: &TestApp) {
    for _ in 0..5 {
        app.token(Role::Analyst).await;
    }
    let report = verify_store(&app.state.store).await.unwrap();
    assert!(report.ok);
    assert!(report.entries_checked >= 5);
}

both!(
    the_ledger_refuses_updates_and_deletes,
    |app: TestApp| async move {
        ledger_of_five(&app).await;
        let pool = app.state.store.pool();
        assert!(
            sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
                .execute(pool)
                .await
                .is_err()
        );
        assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(pool)
            .await
            .is_err());
    }
);

both!(an_edited_entry_is_named, |app: TestApp| async move {
    ledger_of_five(&app).await;
    drop_guards(&app).await;
    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let report = verify_store(&app.state.store).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_broken_seq, Some(3), "{:?}", report.problem);
});

both!(a_deleted_entry_is_named, |app: TestApp| async move {
    ledger_of_five(&app).await;
    drop_guards(&app).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let report = verify_store(&app.state.store).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_broken_seq, Some(3), "{:?}", report.problem);
});

both!(a_reordered_entry_is_named, |app: TestApp| async move {
    ledger_of_five(&app).await;
    drop_guards(&app).await;
    // Swap entries 2 and 3 (their sequence numbers), keeping each row's own hash.
    let pool = app.state.store.pool();
    for sql in [
        "UPDATE audit_log SET seq = -2 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -2",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    let report = verify_store(&app.state.store).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_broken_seq, Some(2), "{:?}", report.problem);
});

both!(
    concurrent_appends_never_fork_the_chain,
    |app: TestApp| async move {
        let mut tasks = Vec::new();
        for i in 0..20 {
            let state = app.state.clone();
            tasks.push(tokio::spawn(async move {
                let e = pingan_core::audit::NewAuditEntry {
                    at: state.now(),
                    actor: format!("worker{i}"),
                    role: None,
                    action: "test.append".into(),
                    object_type: "test".into(),
                    object_id: None,
                    purpose: None,
                    reference: None,
                    request_id: None,
                    outcome: pingan_core::audit::Outcome::Success,
                    detail: serde_json::json!({ "i": i }),
                };
                state.audit(vec![e.clone(), e]).await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = verify_store(&app.state.store).await.unwrap();
        assert!(report.ok, "{:?}", report.problem);
        assert_eq!(report.entries_checked, 40);
    }
);
