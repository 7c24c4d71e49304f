//! The audit ledger: chaining, filters, paging and the append-only triggers.

use super::*;

contract!(
    audit_appends_chain_across_calls,
    concurrent_audit_appends_never_fork,
    audit_filters_alone_and_combined,
    audit_pages_by_keyset,
    audit_pages_newest_first,
    audit_action_prefix_is_literal,
    audit_limit_is_clamped,
    audit_ledger_refuses_update_and_delete,
    audit_entries_round_trip_exactly,
);

// Audit ledger

async fn audit_appends_chain_across_calls(store: &Store) {
    assert!(store
        .append_audit(Vec::new())
        .await
        .expect("empty")
        .is_empty());
    assert!(
        ledger(store).await.is_empty(),
        "an empty append writes nothing"
    );

    let first = store
        .append_audit(entries(3, "a.first"))
        .await
        .expect("append");
    assert_eq!(first.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(first[0].prev_hash, GENESIS_HASH);
    let second = store
        .append_audit(entries(2, "a.second"))
        .await
        .expect("append");
    assert_eq!(second[0].seq, 4);
    assert_eq!(
        second[0].prev_hash, first[2].hash,
        "the next call chains on the head"
    );
    // More than one INSERT statement's worth in one call.
    let third = store
        .append_audit(entries(150, "a.third"))
        .await
        .expect("append");
    assert_eq!(third.first().map(|e| e.seq), Some(6));
    assert_eq!(third.last().map(|e| e.seq), Some(155));

    let stored = ledger(store).await;
    let returned: Vec<AuditEntry> = [first, second, third].concat();
    assert_eq!(
        stored, returned,
        "append returns the entries exactly as stored"
    );
    assert_eq!(verify_chain(&stored), Ok(155));
}

async fn concurrent_audit_appends_never_fork(store: &Store) {
    // A second handle stands for a second process; only PostgreSQL serves several processes.
    let mut stores = vec![store.clone(), store.clone()];
    if store.backend() == Backend::Postgres {
        stores.push(Store::connect(store.url()).await.expect("second process"));
    }
    let tasks = (0..8).map(|t| {
        let s = stores[t % stores.len()].clone();
        async move {
            for round in 0..5 {
                s.append_audit(entries(3, &format!("t{t}.r{round}")))
                    .await
                    .expect("append");
            }
        }
    });
    join_all(tasks).await;
    let stored = ledger(store).await;
    assert_eq!(verify_chain(&stored), Ok(120));
    // Each call's entries stay together.
    for batch in stored.chunks(3) {
        assert!(
            batch.iter().all(|e| e.action == batch[0].action),
            "{batch:?}"
        );
    }
}

/// The ledger used by the filter contracts: every field varies with a different period, so
/// that each filter selects some entries but not all.
fn varied_entries() -> Vec<NewAuditEntry> {
    let actors = ["张伟", "li.na", "ops"];
    let actions = [
        "user.add",
        "user.disable",
        "plates.trajectory",
        "plates.search",
        "login",
    ];
    let purposes = [
        None,
        Some(Purpose::CriminalInvestigation),
        Some(Purpose::Audit),
    ];
    let references = [None, Some("CASE-1"), Some("案件-2"), None];
    let outcomes = [Outcome::Success, Outcome::Denied, Outcome::Failed];
    (0..60usize)
        .map(|i| NewAuditEntry {
            at: Timestamp(i64::try_from(i).unwrap_or(0) * 1_000 - 20_000),
            actor: actors[i % 3].to_owned(),
            role: (i % 4 != 0).then_some(Role::Investigator),
            action: actions[i % 5].to_owned(),
            object_type: ["user", "plate"][i % 2].to_owned(),
            object_id: (i % 7 < 3).then(|| format!("obj-{}", i % 7)),
            purpose: purposes[i % 3 * (i % 2)],
            reference: references[i % 4].map(str::to_owned),
            request_id: Some(format!("req-{i}")),
            outcome: outcomes[(i / 3) % 3],
            detail: json!({ "i": i }),
        })
        .collect()
}

/// What `audit_page` must answer, stated in memory.
fn model(all: &[AuditEntry], f: &AuditFilter) -> Vec<AuditEntry> {
    let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    let eq_opt = |want: &Option<String>, have: &Option<String>| {
        want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
    };
    all.iter()
        .filter(|e| {
            eq(&f.actor, &e.actor)
                && f.action_prefix
                    .as_deref()
                    .is_none_or(|p| e.action.starts_with(p))
                && eq(&f.object_type, &e.object_type)
                && eq_opt(&f.object_id, &e.object_id)
                && f.purpose.is_none_or(|p| e.purpose == Some(p))
                && eq_opt(&f.reference, &e.reference)
                && f.outcome.is_none_or(|o| e.outcome == o)
                && f.from.is_none_or(|t| e.at >= t)
                && f.to.is_none_or(|t| e.at < t)
                && f.after_seq.is_none_or(|s| e.seq > s)
                && f.before_seq.is_none_or(|s| e.seq < s)
        })
        .take(usize::try_from(f.limit.clamp(1, 10_000)).unwrap_or(usize::MAX))
        .cloned()
        .collect()
}

#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
async fn audit_filters_alone_and_combined(store: &Store) {
    let stored = store.append_audit(varied_entries()).await.expect("append");
    let base = all(1_000);
    let some = |s: &str| Some(s.to_owned());
    let alone = [
        AuditFilter {
            actor: some("张伟"),
            ..base.clone()
        },
        AuditFilter {
            action_prefix: some("plates."),
            ..base.clone()
        },
        AuditFilter {
            object_type: some("plate"),
            ..base.clone()
        },
        AuditFilter {
            object_id: some("obj-1"),
            ..base.clone()
        },
        AuditFilter {
            purpose: Some(Purpose::CriminalInvestigation),
            ..base.clone()
        },
        AuditFilter {
            reference: some("案件-2"),
            ..base.clone()
        },
        AuditFilter {
            outcome: Some(Outcome::Denied),
            ..base.clone()
        },
        AuditFilter {
            from: Some(Timestamp(-5_000)),
            ..base.clone()
        },
        AuditFilter {
            to: Some(Timestamp(-5_000)),
            ..base.clone()
        },
        AuditFilter {
            after_seq: Some(41),
            ..base.clone()
        },
    ];
    for f in &alone {
        let want = model(&stored, f);
        assert!(
            !want.is_empty() && want.len() < stored.len(),
            "fixture too plain for {f:?}"
        );
        assert_eq!(store.audit_page(f).await.expect("page"), want, "{f:?}");
    }
    // `from` is inclusive and `to` exclusive: the boundary entry falls in exactly one window.
    let boundary = stored[10].at;
    let before = AuditFilter {
        to: Some(boundary),
        ..base.clone()
    };
    let after = AuditFilter {
        from: Some(boundary),
        ..base.clone()
    };
    assert_eq!(store.audit_page(&before).await.expect("page").len(), 10);
    assert_eq!(
        store.audit_page(&after).await.expect("page")[0].seq,
        stored[10].seq
    );

    let target = &stored[23];
    let combined = [
        AuditFilter {
            actor: some("ops"),
            purpose: Some(Purpose::Audit),
            ..base.clone()
        },
        AuditFilter {
            action_prefix: some("user."),
            outcome: Some(Outcome::Success),
            from: Some(Timestamp(-15_000)),
            to: Some(Timestamp(30_000)),
            ..base.clone()
        },
        AuditFilter {
            reference: some("CASE-1"),
            object_type: some("plate"),
            after_seq: Some(10),
            ..base.clone()
        },
        // Every filter at once, taken from one entry, must find that entry.
        AuditFilter {
            actor: Some(target.actor.clone()),
            action_prefix: Some(target.action.clone()),
            object_type: Some(target.object_type.clone()),
            object_id: target.object_id.clone(),
            purpose: target.purpose,
            reference: target.reference.clone(),
            outcome: Some(target.outcome),
            from: Some(target.at),
            to: Some(Timestamp(target.at.0 + 1)),
            after_seq: Some(target.seq - 1),
            before_seq: Some(target.seq + 1),
            newest_first: false,
            limit: 10,
        },
        // Filters that contradict each other find nothing.
        AuditFilter {
            actor: some("ops"),
            reference: some("nobody's"),
            ..base.clone()
        },
    ];
    for f in &combined {
        assert_eq!(
            store.audit_page(f).await.expect("page"),
            model(&stored, f),
            "{f:?}"
        );
    }
    assert_eq!(
        store.audit_page(&combined[3]).await.expect("page"),
        std::slice::from_ref(target)
    );
}

async fn audit_pages_by_keyset(store: &Store) {
    store.append_audit(varied_entries()).await.expect("append");
    let mut filter = AuditFilter {
        actor: Some("ops".to_owned()),
        ..all(7)
    };
    let mut pages = Vec::new();
    loop {
        let page = store.audit_page(&filter).await.expect("page");
        let Some(last) = page.last() else { break };
        filter.after_seq = Some(last.seq);
        pages.push(page);
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 6]);
    let seqs: Vec<i64> = pages.concat().iter().map(|e| e.seq).collect();
    let want: Vec<i64> = (1..=60).filter(|s| (s - 1) % 3 == 2).collect();
    assert_eq!(seqs, want, "pages neither skip nor repeat entries");
}

async fn audit_pages_newest_first(store: &Store) {
    store.append_audit(varied_entries()).await.expect("append");
    let mut filter = AuditFilter {
        actor: Some("ops".to_owned()),
        newest_first: true,
        ..all(7)
    };
    let mut seqs = Vec::new();
    loop {
        let page = store.audit_page(&filter).await.expect("page");
        let Some(last) = page.last() else { break };
        filter.before_seq = Some(last.seq);
        seqs.extend(page.iter().map(|e| e.seq));
    }
    let mut want: Vec<i64> = (1..=60).filter(|s| (s - 1) % 3 == 2).collect();
    want.reverse();
    assert_eq!(
        seqs, want,
        "newest first, pages neither skip nor repeat entries"
    );
}

async fn audit_action_prefix_is_literal(store: &Store) {
    let actions = [
        "user_add",
        "userXadd",
        "user%x",
        "users.list",
        "user",
        "用户.添加",
        "用户_x",
    ];
    let batch = actions.iter().map(|a| entry("admin", a, 0)).collect();
    store.append_audit(batch).await.expect("append");
    let cases: [(&str, &[&str]); 7] = [
        ("user_", &["user_add"]),
        ("user%", &["user%x"]),
        (
            "user",
            &["user_add", "userXadd", "user%x", "users.list", "user"],
        ),
        ("users.", &["users.list"]),
        ("用户", &["用户.添加", "用户_x"]),
        ("用户_", &["用户_x"]),
        ("%", &[]),
    ];
    for (prefix, want) in cases {
        let f = AuditFilter {
            action_prefix: Some(prefix.to_owned()),
            ..all(100)
        };
        let got = store.audit_page(&f).await.expect("page");
        let got: Vec<&str> = got.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(got, want, "prefix {prefix:?}");
    }
}

async fn audit_limit_is_clamped(store: &Store) {
    store
        .append_audit(entries(10_001, "bulk"))
        .await
        .expect("append");
    assert_eq!(
        store.audit_page(&all(0)).await.expect("page").len(),
        1,
        "at least one"
    );
    assert_eq!(store.audit_page(&all(3)).await.expect("page").len(), 3);
    let most = store.audit_page(&all(u32::MAX)).await.expect("page");
    assert_eq!(most.len(), 10_000, "at most 10,000");
    assert_eq!(verify_chain(&most), Ok(10_000));
}

async fn audit_ledger_refuses_update_and_delete(store: &Store) {
    store
        .append_audit(entries(3, "kept"))
        .await
        .expect("append");
    let before = ledger(store).await;
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "UPDATE audit_log SET outcome = 'denied'",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ] {
        let refused = sqlx::query(sql).execute(store.pool()).await.expect_err(sql);
        assert!(
            refused.to_string().contains("append-only"),
            "{sql}: {refused}"
        );
    }
    let after = ledger(store).await;
    assert_eq!(after, before);
    assert_eq!(verify_chain(&after), Ok(3));
}

/// Finite doubles from a fixed linear congruential sequence, all exponents included.
fn awkward_floats(n: usize) -> Vec<f64> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = vec![
        0.1,
        1e-7,
        120.123_456_789_012_3,
        36.067_123_456_789_1,
        5e-324,
        f64::MAX,
        -0.0,
    ];
    while out.len() < n {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let f = f64::from_bits(x);
        if f.is_finite() {
            out.push(f);
        }
    }
    out
}

async fn audit_entries_round_trip_exactly(store: &Store) {
    let bare = NewAuditEntry {
        role: None,
        detail: json!(null),
        ..entry("system", "start", i64::MIN)
    };
    let full = NewAuditEntry {
        at: Timestamp(i64::MAX),
        actor: "王芳".to_owned(),
        role: Some(Role::Auditor),
        action: "plates.trajectory".to_owned(),
        object_type: "plate".to_owned(),
        object_id: Some("鲁Q·12345".to_owned()),
        purpose: Some(Purpose::MissingPerson),
        reference: Some("走失-2024-001".to_owned()),
        request_id: Some("01J0REQ".to_owned()),
        outcome: Outcome::Failed,
        detail: json!({
            "说明": "夜间 查询\n\t\"引号\" \\ 😀",
            "big": u64::MAX,
            "neg": i64::MIN,
            "floats": awkward_floats(300),
            "nested": { "z": [1, 2, {"a": null}], "a": true },
        }),
    };
    let appended = store.append_audit(vec![bare, full]).await.expect("append");
    let stored = ledger(store).await;
    assert_eq!(
        stored, appended,
        "every field, detail included, comes back exactly"
    );
    assert_eq!(verify_chain(&stored), Ok(2));
}
