use super::*;

fn cam() -> Camera {
    Camera {
        id: CameraId::new("cam-1"),
        name: "North gate".into(),
        platform_id: None,
        channel_id: Some("37130000001310000001".into()),
        lon: 118.9,
        lat: 35.0,
        height_m: Some(6.0),
        heading_deg: 90.0,
        fov_deg: 60.0,
        range_m: 80.0,
        ptz: false,
        live_url: Some("rtsp://10.0.0.5/live/{channel_id}".into()),
        playback_url: Some("http://10.0.0.5/pb?c={camera_id}&s={start}&e={end}".into()),
        status: CameraStatus::Active,
        installed_on: Some("2014-06-01".into()),
        owner: None,
    }
}

fn fields(c: &Camera) -> Vec<String> {
    c.problems().into_iter().map(|e| e.field).collect()
}

#[test]
fn a_good_camera_has_no_problems() {
    assert!(cam().problems().is_empty(), "{:?}", cam().problems());
}

#[test]
fn each_bad_field_is_named() {
    let mut c = cam();
    c.heading_deg = 361.0;
    c.fov_deg = 360.0;
    c.range_m = 0.0;
    c.channel_id = Some("3713000000131000000".into());
    c.lat = 95.0;
    assert_eq!(
        fields(&c),
        ["channel_id", "lat", "heading_deg", "fov_deg", "range_m"]
    );
    c = cam();
    c.fov_deg = 0.0;
    assert_eq!(fields(&c), ["fov_deg"]);
    c.ptz = true;
    assert!(fields(&c).is_empty(), "PTZ ignores the field of view");
    c.channel_id = Some("3713000000131000000x".into());
    assert_eq!(fields(&c), ["channel_id"]);
}

#[test]
fn templates_are_checked_and_filled() {
    assert!(check_url_template("u", "rtsp://admin:pw@10.0.0.1/x", false).is_err());
    assert!(check_url_template("u", "http://h/{strat}", false).is_err());
    assert!(check_url_template("u", "http://h/x", true).is_err());
    assert!(check_url_template("u", "ftp://h/x", false).is_err());
    let c = cam();
    let from = Timestamp::parse_rfc3339("2026-05-08T10:00:00+08:00").unwrap();
    let link = c.playback_link(from, from.plus_seconds(600)).unwrap();
    assert_eq!(
        link,
        "http://10.0.0.5/pb?c=cam-1&s=2026-05-08T02:00:00Z&e=2026-05-08T02:10:00Z"
    );
    assert_eq!(
        c.live_link().unwrap(),
        "rtsp://10.0.0.5/live/37130000001310000001"
    );
}

#[test]
fn checkpoints_and_platforms_are_checked() {
    let cp = Checkpoint {
        id: CheckpointId::new("cp/1"),
        name: "".into(),
        lon: 200.0,
        lat: 35.0,
        lanes: 0,
        directions: vec!["east".into()],
        road_id: None,
    };
    let f: Vec<String> = cp.problems().into_iter().map(|e| e.field).collect();
    assert_eq!(f, ["id", "name", "lon", "lanes"]);
    let p = Platform {
        id: PlatformId::new("p1"),
        name: "Hik".into(),
        vendor: None,
        protocol: Protocol::Gbt28181,
        address: "sip:34020000002000000001@10.0.0.2:5060".into(),
        credential_ref: Some("my secret pass!".into()),
    };
    let f: Vec<String> = p.problems().into_iter().map(|e| e.field).collect();
    assert_eq!(f, ["credential_ref"]);
}

mod props {
    use super::super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn url_checks_never_panic(url in "\\PC{0,80}", needs in any::<bool>()) {
            let _ = check_url_template("u", &url, needs);
        }

        #[test]
        fn channel_ids_are_exactly_twenty_digits(id in "[0-9a-z]{0,24}") {
            let ok = id.len() == 20 && id.bytes().all(|b| b.is_ascii_digit());
            prop_assert_eq!(check_channel_id("c", &id).is_ok(), ok);
        }

        #[test]
        fn accepted_templates_fill_without_placeholders_left(
            path in "[a-z0-9/]{0,20}",
            from in 0i64..4_000_000_000,
            len in 0i64..86_400,
        ) {
            let t = format!("http://h/{path}?s={{start}}&e={{end}}&u={{start_unix}}&c={{camera_id}}");
            prop_assert!(check_url_template("u", &t, true).is_ok());
            let from = Timestamp::from_seconds(from);
            let filled = fill_template(&t, "cam", None, Some((from, from.plus_seconds(len))));
            prop_assert!(!filled.contains('{'), "{}", filled);
        }

        #[test]
        fn headings_within_range_are_accepted(h in 0.0f64..=360.0, fov in 0.001f64..359.999) {
            let mut c = super::cam();
            c.heading_deg = h;
            c.fov_deg = fov;
            prop_assert!(c.problems().is_empty());
        }
    }
}
