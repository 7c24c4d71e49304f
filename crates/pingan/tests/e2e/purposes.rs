//! Route × role × purpose, on the real binary: personal and plate data open only to a role that
//! holds the route's permission AND a purpose that names a case or incident; `audit` and
//! `administration` open none of it, whatever reference they carry. Every refusal is a 403 with
//! its `access.denied` entry in the ledger.

use crate::common::{login, Server, ADMIN_PASSWORD};
use pingan_core::access::{Permission, Role};
use pingan_core::purpose::Purpose;
use serde_json::{json, Value};

/// The purposes that may open personal and plate data, written out here rather than taken
/// from the code under test.
const OPENING: [&str; 5] = [
    "incident_response",
    "criminal_investigation",
    "missing_person",
    "traffic_enforcement",
    "emergency",
];

struct Route {
    name: &'static str,
    permission: Permission,
}

const ROUTES: [Route; 5] = [
    Route {
        name: "POST /plates/query",
        permission: Permission::QueryPlates,
    },
    Route {
        name: "GET /plates/evidence",
        permission: Permission::QueryPlates,
    },
    Route {
        name: "POST /video/detections/search",
        permission: Permission::QueryPlates,
    },
    Route {
        name: "POST /watchlist",
        permission: Permission::ManageWatchlist,
    },
    Route {
        name: "GET /incidents/{id}/contact",
        permission: Permission::ReadPersonalData,
    },
];

async fn call(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    route: &Route,
    purpose: &str,
    reference: &str,
    incident: &str,
) -> u16 {
    let now_us = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_micros(),
    )
    .expect("µs");
    let stated = json!({"purpose": purpose, "reference": reference});
    let req = match route.name {
        "POST /plates/query" => client.post(server.url("/api/v1/plates/query")).json(&json!({
            "purpose": stated,
            "query": {"kind": "trajectory", "plate": "鲁Q12345", "from": now_us - 3_600_000_000, "to": now_us}
        })),
        "GET /plates/evidence" => client
            .get(server.url("/api/v1/plates/evidence"))
            .query(&[("purpose", purpose), ("reference", reference)]),
        "POST /video/detections/search" => client
            .post(server.url("/api/v1/video/detections/search"))
            .json(&json!({
                "purpose": stated, "area": {"center": [118.95, 35.03], "radius_m": 500.0},
                "from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"
            })),
        "POST /watchlist" => client.post(server.url("/api/v1/watchlist")).json(&json!({
            "purpose": stated, "target": "鲁Q8S123", "reason": "stolen_vehicle",
            "valid_to": now_us + 86_400_000_000
        })),
        _ => client
            .get(server.url(&format!("/api/v1/incidents/{incident}/contact")))
            .query(&[("purpose", purpose), ("reference", reference)]),
    };
    req.bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

async fn denials(client: &reqwest::Client, server: &Server, auditor: &str) -> usize {
    let mut n = 0;
    let mut after: Option<i64> = None;
    loop {
        let mut url = server.url("/api/v1/audit?action=access.denied&limit=1000");
        if let Some(a) = after {
            url.push_str(&format!("&after={a}"));
        }
        let page: Value = client
            .get(url)
            .bearer_auth(auditor)
            .send()
            .await
            .expect("audit")
            .json()
            .await
            .expect("json");
        n += page["entries"].as_array().expect("entries").len();
        match page["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => return n,
        }
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
#[tokio::test]
async fn personal_and_plate_data_open_only_to_a_purpose_naming_a_case_or_incident() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(
        &dir.path().join("data"),
        &[("PINGAN_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    );
    let client = reqwest::Client::new();
    let admin = login(&client, &server, "admin", ADMIN_PASSWORD).await;
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let name = format!("t.{}", role.as_str());
        let resp = client
            .post(server.url("/api/v1/users"))
            .bearer_auth(&admin)
            .json(
                &json!({"username": name, "display_name": name, "role": role.as_str(),
                          "password": ADMIN_PASSWORD, "agency": "traffic_police"}),
            )
            .send()
            .await
            .expect("account");
        assert_eq!(resp.status(), 201, "{role}");
        tokens.push((role, login(&client, &server, &name, ADMIN_PASSWORD).await));
    }
    let token = |r: Role| {
        tokens
            .iter()
            .find(|(role, _)| *role == r)
            .expect("role")
            .1
            .clone()
    };
    let created: Value = client
        .post(server.url("/api/v1/incidents"))
        .bearer_auth(token(Role::Operator))
        .json(
            &json!({"type": "theft.ebike_motorcycle", "source": "phone_110", "priority": 2,
                      "lon": 118.95, "lat": 35.03, "description": "电动车被盗",
                      "caller": {"name": "王先生", "phone": "138 0000 0000"}}),
        )
        .send()
        .await
        .expect("incident")
        .json()
        .await
        .expect("json");
    let incident = created["incident"]["id"]
        .as_str()
        .expect("incident id")
        .to_owned();
    let auditor = token(Role::Auditor);
    let before = denials(&client, &server, &auditor).await;

    let mut refused = 0;
    let mut wrong = Vec::new();
    for route in &ROUTES {
        for (role, tok) in &tokens {
            for purpose in Purpose::ALL {
                let status = call(
                    &client,
                    &server,
                    tok,
                    route,
                    purpose.as_str(),
                    &incident,
                    &incident,
                )
                .await;
                let open = role.may(route.permission) && OPENING.contains(&purpose.as_str());
                let ok = if open {
                    (200..300).contains(&status)
                } else {
                    status == 403
                };
                if !ok {
                    wrong.push(format!("{} as {role} with {purpose}: {status}", route.name));
                }
                if status == 403 {
                    refused += 1;
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // Refusals also without any purpose: 403, never a 400 that leaves no trace.
    for route in &ROUTES {
        let status = match route.name {
            "POST /video/detections/search" => client
                .post(server.url("/api/v1/video/detections/search"))
                .json(
                    &json!({"area": {"center": [118.95, 35.03], "radius_m": 500.0},
                              "from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}),
                )
                .bearer_auth(token(Role::Investigator))
                .send()
                .await
                .expect("search")
                .status()
                .as_u16(),
            "GET /incidents/{id}/contact" => client
                .get(server.url(&format!("/api/v1/incidents/{incident}/contact")))
                .bearer_auth(token(Role::Operator))
                .send()
                .await
                .expect("contact")
                .status()
                .as_u16(),
            _ => continue,
        };
        assert_eq!(status, 403, "{} without a purpose", route.name);
        refused += 1;
    }
    let after = denials(&client, &server, &auditor).await;
    assert_eq!(
        after - before,
        refused,
        "every refusal has its access.denied entry"
    );
    server.stop();
}
