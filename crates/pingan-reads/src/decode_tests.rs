//! Tests of the batch decoders, including proptest fuzzing on arbitrary bytes.

use proptest::prelude::*;

use super::*;
use crate::plate::PlateStatus;

const NOW: i64 = 1_711_814_400_000_000;

fn opts() -> DecodeOptions {
    DecodeOptions::new(NOW)
}

const GEN_HEADER: &str =
    "\"read_id\",\"plate\",\"checkpoint_id\",\"lane\",\"direction\",\"ts\",\"vehicle_color\",\"vehicle_type\",\"confidence\"\n";

#[test]
fn decodes_gen_reads_layout() {
    let csv = format!(
        "{GEN_HEADER}1,鲁Q95R23,13,2,NB,1711223045760522,绿,K33,0.965\n2,鲁q 88t60,2,2,SB,1711223161599183,银,K33,0.98\n"
    );
    let rows = decode_csv(csv.as_bytes(), &opts()).expect("batch decodes");
    assert_eq!(rows.len(), 2);
    let r = rows[0].as_ref().expect("row 1 valid");
    assert_eq!(r.id, ReadId(1));
    assert_eq!(r.plate.as_str(), "鲁Q95R23");
    assert_eq!(r.checkpoint, CheckpointId(13));
    assert_eq!(r.lane, 2);
    assert_eq!(r.direction, Direction::Northbound);
    assert_eq!(r.ts_us, 1_711_223_045_760_522);
    assert_eq!(r.vehicle_colour.as_deref(), Some("绿"));
    assert_eq!(r.vehicle_type.as_deref(), Some("K33"));
    assert_eq!(r.confidence.as_f64(), 0.965);
    let r2 = rows[1].as_ref().expect("row 2 valid");
    assert_eq!(r2.plate.as_str(), "鲁Q88T60");
    assert_eq!(r2.raw_plate, "鲁q 88t60");
}

#[test]
fn decodes_superset_with_any_column_order() {
    let csv = "ts,plate,read_id,checkpoint_id,confidence,plate_colour,plate_type,vehicle_brand,image_urls,raw_plate\n\
               1711223045760522,鲁QD12345,7,3,0.9,绿,52,比亚迪,http://a/1.jpg|http://a/2.jpg,鲁QD12345\n";
    let rows = decode_csv(csv.as_bytes(), &opts()).expect("batch decodes");
    let r = rows[0].as_ref().expect("valid");
    assert_eq!(r.plate_colour, Some(PlateColour::Green));
    assert_eq!(r.plate_type, Some(PlateType::NEW_ENERGY_SMALL));
    assert_eq!(r.vehicle_brand.as_deref(), Some("比亚迪"));
    assert_eq!(r.image_urls, vec!["http://a/1.jpg", "http://a/2.jpg"]);
    assert_eq!(r.lane, 0);
    assert_eq!(r.direction, Direction::Unknown);
}

#[test]
fn row_errors_name_row_and_field() {
    let far_future = NOW + 3_600_000_000;
    let far_past = NOW - 500 * 86_400_000_000;
    let csv = format!(
        "{GEN_HEADER}\
         1,鲁Q95R23,13,2,NB,1711223045760522,绿,K33,0.965\n\
         2, - ,13,2,NB,1711223045760522,绿,K33,0.965\n\
         3,鲁Q95R23,13,2,UP,1711223045760522,绿,K33,0.965\n\
         4,鲁Q95R23,13,2,NB,{far_future},绿,K33,0.965\n\
         5,鲁Q95R23,13,2,NB,{far_past},绿,K33,0.965\n\
         6,鲁Q95R23,13,300,NB,1711223045760522,绿,K33,0.965\n\
         7,鲁Q95R23,13,2,NB,1711223045760522,绿,K33,1.5\n\
         8,鲁Q95R23,13\n\
         x,鲁Q95R23,13,2,NB,1711223045760522,绿,K33,0.9\n\
         10,鲁Q95R23,-1,2,NB,1711223045760522,绿,K33,0.9\n"
    );
    let rows = decode_csv(csv.as_bytes(), &opts()).expect("batch decodes");
    let errs: Vec<(usize, String)> = rows
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.row, e.field.clone()))
        .collect();
    let want: Vec<(usize, String)> = [
        (2, "plate"),
        (3, "direction"),
        (4, "ts"),
        (5, "ts"),
        (6, "lane"),
        (7, "confidence"),
        (8, ""),
        (9, "read_id"),
        (10, "checkpoint"),
    ]
    .iter()
    .map(|&(r, f)| (r, f.to_owned()))
    .collect();
    assert_eq!(errs, want);
    assert!(rows[0].is_ok());
    let e = rows[3].as_ref().expect_err("future");
    assert!(e.reason.contains("future"), "{e}");
}

/// A read whose plate breaks the rules is still a read: kept as read, flagged.
#[test]
fn misread_and_unreadable_plates_are_reads() {
    let csv = format!(
        "{GEN_HEADER}\
         1,鲁034593,13,2,NB,1711223045760522,绿,K33,0.965\n\
         2,无牌,13,2,NB,1711223045760522,绿,K33,0.5\n\
         3,鲁Q34593,13,2,NB,1711223045760522,绿,K33,0.965\n"
    );
    let rows = decode_csv(csv.as_bytes(), &opts()).expect("batch decodes");
    let status: Vec<(String, PlateStatus)> = rows
        .iter()
        .map(|r| {
            let r = r.as_ref().expect("a read");
            (r.plate.as_str().to_owned(), r.plate.status())
        })
        .collect();
    assert_eq!(
        status,
        vec![
            ("鲁034593".to_owned(), PlateStatus::Invalid),
            ("无牌".to_owned(), PlateStatus::Unreadable),
            ("鲁Q34593".to_owned(), PlateStatus::Valid),
        ]
    );
}

#[test]
fn batch_errors() {
    assert_eq!(
        decode_csv(b"read_id,plate,colour\n", &opts()),
        Err(DecodeError::UnknownColumn("colour".into()))
    );
    assert_eq!(
        decode_csv(b"read_id,plate,checkpoint_id,ts\n", &opts()),
        Err(DecodeError::MissingColumn("confidence"))
    );
    assert_eq!(
        decode_csv(b"read_id,read_id\n", &opts()),
        Err(DecodeError::DuplicateColumn("read_id".into()))
    );
    assert!(matches!(
        decode_csv(b"", &opts()),
        Err(DecodeError::Header(_))
    ));
    let mut o = opts();
    o.max_rows = 1;
    let csv = format!("{GEN_HEADER}1,鲁Q95R23,13,2,NB,1711223045760522,绿,K33,0.965\n2,鲁Q95R23,13,2,NB,1711223045760522,绿,K33,0.965\n");
    assert_eq!(
        decode_csv(csv.as_bytes(), &o),
        Err(DecodeError::TooManyRows { max: 1 })
    );
    assert_eq!(decode_json(b"{}", &opts()), Err(DecodeError::NotAnArray));
    assert!(matches!(
        decode_json(b"[", &opts()),
        Err(DecodeError::Json(_))
    ));
}

#[test]
fn decodes_json_rows() {
    let json = r#"[
      {"read_id": 1, "plate": "鲁Q95R23", "checkpoint_id": 13, "lane": 2, "direction": "NB",
       "ts": 1711223045760522, "vehicle_color": "绿", "vehicle_type": "K33", "confidence": 0.965,
       "plate_type": 2, "image_urls": ["http://x/1.jpg"]},
      {"read_id": 2, "plate": "鲁Q95R23", "checkpoint_id": 13, "ts": 1711223045760522, "confidence": 0.9, "colour": "x"},
      {"read_id": 3, "plate": "鲁Q95R23", "checkpoint_id": "13", "ts": 1711223045760522, "confidence": 0.9},
      {"read_id": 4, "plate": "鲁Q95R23", "checkpoint_id": 13, "ts": 1711223045760522},
      {"read_id": 5, "plate": "鲁Q95R23", "checkpoint_id": 13, "ts": 1711223045760522, "confidence": 0.9, "plate_type": 120},
      7
    ]"#;
    let rows = decode_json(json.as_bytes(), &opts()).expect("batch decodes");
    assert_eq!(rows.len(), 6);
    let r = rows[0].as_ref().expect("valid");
    assert_eq!(r.plate_type, Some(PlateType::SMALL));
    assert_eq!(r.image_urls, vec!["http://x/1.jpg"]);
    let fields: Vec<(usize, String)> = rows[1..]
        .iter()
        .map(|r| r.as_ref().expect_err("invalid"))
        .map(|e| (e.row, e.field.clone()))
        .collect();
    assert_eq!(
        fields,
        vec![
            (2, "colour".to_owned()),
            (3, "checkpoint_id".to_owned()),
            (4, "confidence".to_owned()),
            (5, "plate_type".to_owned()),
            (6, String::new()),
        ]
    );
}

#[test]
fn checkpoint_is_the_name_and_checkpoint_id_the_same_column() {
    let json = r#"[
      {"read_id": 1, "plate": "鲁Q95R23", "checkpoint": 13, "ts": 1711223045760522, "confidence": 0.9},
      {"read_id": 2, "plate": "鲁Q95R23", "checkpoint": 13, "checkpoint_id": 14, "ts": 1711223045760522, "confidence": 0.9},
      {"read_id": 3, "plate": "鲁Q95R23", "checkpoint": -1, "ts": 1711223045760522, "confidence": 0.9}
    ]"#;
    let rows = decode_json(json.as_bytes(), &opts()).expect("batch decodes");
    assert_eq!(
        rows[0].as_ref().expect("valid").checkpoint,
        CheckpointId(13)
    );
    let twice = rows[1].as_ref().expect_err("given twice");
    assert_eq!((twice.row, twice.field.as_str()), (2, "checkpoint_id"));
    assert_eq!(rows[2].as_ref().expect_err("negative").field, "checkpoint");
    let csv = "read_id,plate,checkpoint,ts,confidence\n1,鲁Q95R23,13,1711223045760522,0.9\n";
    let rows = decode_csv(csv.as_bytes(), &opts()).expect("batch decodes");
    assert_eq!(
        rows[0].as_ref().expect("valid").checkpoint,
        CheckpointId(13)
    );
    assert!(matches!(
        decode_csv(b"read_id,plate,checkpoint,checkpoint_id,ts,confidence\n", &opts()),
        Err(DecodeError::DuplicateColumn(c)) if c == "checkpoint_id"
    ));
    assert!(matches!(
        decode_csv(b"read_id,plate,ts,confidence\n", &opts()),
        Err(DecodeError::MissingColumn("checkpoint"))
    ));
}

proptest! {
    #[test]
    fn csv_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_csv(&bytes, &opts());
        let mut with_header = GEN_HEADER.as_bytes().to_vec();
        with_header.extend_from_slice(&bytes);
        if let Ok(rows) = decode_csv(&with_header, &opts()) {
            for (i, r) in rows.iter().enumerate() {
                if let Err(e) = r {
                    prop_assert_eq!(e.row, i + 1);
                }
            }
        }
    }

    #[test]
    fn json_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_json(&bytes, &opts());
    }

    #[test]
    fn csv_never_panics_on_plausible_rows(
        fields in proptest::collection::vec("[0-9a-zA-Z鲁Q.,\"\\- ]{0,12}", 9..=9)
    ) {
        let csv = format!("{GEN_HEADER}{}\n", fields.join(","));
        let _ = decode_csv(csv.as_bytes(), &opts());
    }

    #[test]
    fn json_never_panics_on_plausible_objects(
        plate in "\\PC{0,10}", ts in any::<i64>(), conf in any::<f64>(), cp in any::<i64>()
    ) {
        let v = serde_json::json!([{"read_id": 1, "plate": plate, "checkpoint_id": cp, "ts": ts, "confidence": conf}]);
        let bytes = serde_json::to_vec(&v).unwrap_or_default();
        let rows = decode_json(&bytes, &opts());
        prop_assert!(rows.is_ok());
    }
}
