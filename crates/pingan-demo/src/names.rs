//! Chinese names for villages, people and vehicles, with their romanisations.
//!
//! Village names follow the patterns of the area (a surname or feature followed by 庄, 沟, 岭 …,
//! sometimes with a direction prefix); people's names are a surname and one or two given
//! characters. The tables are small on purpose: they only need to look right.

use rand::Rng;

use crate::rng::DemoRng;

/// Surnames and features that start village names, with pinyin.
const VILLAGE_HEADS: [(&str, &str); 40] = [
    ("朱", "Zhu"),
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("徐", "Xu"),
    ("高", "Gao"),
    ("胡", "Hu"),
    ("林", "Lin"),
    ("郭", "Guo"),
    ("宋", "Song"),
    ("郑", "Zheng"),
    ("韩", "Han"),
    ("冯", "Feng"),
    ("于", "Yu"),
    ("董", "Dong"),
    ("曹", "Cao"),
    ("袁", "Yuan"),
    ("许", "Xu"),
    ("沈", "Shen"),
    ("彭", "Peng"),
    ("吕", "Lü"),
    ("苏", "Su"),
    ("蒋", "Jiang"),
    ("薛", "Xue"),
    ("石", "Shi"),
    ("桑", "Sang"),
    ("柳", "Liu"),
    ("杏", "Xing"),
    ("梨", "Li"),
    ("沙", "Sha"),
    ("龙", "Long"),
    ("凤", "Feng"),
    ("金", "Jin"),
    ("槐", "Huai"),
];

/// Endings of village names, with pinyin.
const VILLAGE_TAILS: [(&str, &str); 16] = [
    ("庄", "zhuang"),
    ("家庄", "jiazhuang"),
    ("沟", "gou"),
    ("岭", "ling"),
    ("屯", "tun"),
    ("店", "dian"),
    ("官庄", "guanzhuang"),
    ("湖", "hu"),
    ("河", "he"),
    ("埠", "bu"),
    ("洼", "wa"),
    ("沙沟", "shagou"),
    ("集", "ji"),
    ("营", "ying"),
    ("岭子", "lingzi"),
    ("坡", "po"),
];

/// Optional prefixes of village names, with pinyin.
const VILLAGE_PREFIXES: [(&str, &str); 8] = [
    ("东", "Dong"),
    ("西", "Xi"),
    ("南", "Nan"),
    ("北", "Bei"),
    ("前", "Qian"),
    ("后", "Hou"),
    ("大", "Da"),
    ("小", "Xiao"),
];

/// Common surnames for people.
const SURNAMES: [&str; 30] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "薄",
];

/// Characters for given names.
const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀",
    "霞", "平", "刚", "桂", "建", "国", "华", "志", "红", "文", "斌", "鹏", "辉", "亮", "玉", "兰",
    "海", "波", "宁", "凯", "峰", "晨", "雪", "飞",
];

/// Letters allowed on Chinese plates (no I and no O, which read as 1 and 0).
pub const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Pairs of plate characters that OCR confuses, used for misreads.
pub const CONFUSABLE: [(char, char); 8] = [
    ('0', 'D'),
    ('8', 'B'),
    ('5', 'S'),
    ('2', 'Z'),
    ('1', 'T'),
    ('6', 'G'),
    ('Q', '0'),
    ('U', 'V'),
];

/// A village name and its romanisation, e.g. `("西朱沙沟村", "Xizhushagou Village")`.
pub fn village_name(rng: &mut DemoRng) -> (String, String) {
    let (h, hp) = VILLAGE_HEADS[rng.gen_range(0..VILLAGE_HEADS.len())];
    let (t, tp) = VILLAGE_TAILS[rng.gen_range(0..VILLAGE_TAILS.len())];
    if rng.gen_bool(0.35) {
        let (p, pp) = VILLAGE_PREFIXES[rng.gen_range(0..VILLAGE_PREFIXES.len())];
        let hp = hp.to_lowercase();
        (format!("{p}{h}{t}村"), format!("{pp}{hp}{tp} Village"))
    } else {
        (format!("{h}{t}村"), format!("{hp}{tp} Village"))
    }
}

/// A person's name, e.g. "刘建国".
pub fn person_name(rng: &mut DemoRng) -> String {
    let s = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let g1 = GIVEN[rng.gen_range(0..GIVEN.len())];
    if rng.gen_bool(0.7) {
        let g2 = GIVEN[rng.gen_range(0..GIVEN.len())];
        format!("{s}{g1}{g2}")
    } else {
        format!("{s}{g1}")
    }
}

/// A surname followed by 某 ("Liu X"), the way case reports name suspects.
pub fn suspect_name(rng: &mut DemoRng) -> String {
    format!("{}某", SURNAMES[rng.gen_range(0..SURNAMES.len())])
}

/// A plate of the district's prefecture (鲁Q, Linyi): five characters after the prefix, mostly
/// digits with up to two letters.
pub fn local_plate(rng: &mut DemoRng) -> String {
    plate_with_prefix(rng, "鲁Q")
}

/// A plate from elsewhere (through traffic): neighbouring prefectures of Shandong and Jiangsu.
pub fn visiting_plate(rng: &mut DemoRng) -> String {
    const PREFIXES: [&str; 10] = [
        "鲁A", "鲁B", "鲁L", "鲁C", "鲁H", "鲁F", "苏G", "苏C", "苏N", "鲁Q",
    ];
    let p = PREFIXES[rng.gen_range(0..PREFIXES.len())];
    plate_with_prefix(rng, p)
}

fn plate_with_prefix(rng: &mut DemoRng, prefix: &str) -> String {
    let mut s = String::with_capacity(12);
    s.push_str(prefix);
    let letters = rng.gen_range(0..=2);
    let mut positions = [false; 5];
    for _ in 0..letters {
        positions[rng.gen_range(0..5)] = true;
    }
    for is_letter in positions {
        if is_letter {
            s.push(char::from(
                PLATE_LETTERS[rng.gen_range(0..PLATE_LETTERS.len())],
            ));
        } else {
            s.push(char::from(b'0' + rng.gen_range(0..10u8)));
        }
    }
    s
}

/// The plate with one OCR-confusable character replaced, or `None` when it has none. The
/// province character and the prefecture letter are kept, as readers decode them separately.
pub fn misread(rng: &mut DemoRng, plate: &str) -> Option<String> {
    let chars: Vec<char> = plate.chars().collect();
    let candidates: Vec<(usize, char)> = chars
        .iter()
        .enumerate()
        .skip(2)
        .filter_map(|(i, c)| {
            CONFUSABLE.iter().find_map(|(a, b)| {
                if c == a {
                    Some((i, *b))
                } else if c == b {
                    Some((i, *a))
                } else {
                    None
                }
            })
        })
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let (i, replacement) = candidates[rng.gen_range(0..candidates.len())];
    Some(
        chars
            .iter()
            .enumerate()
            .map(|(k, c)| if k == i { replacement } else { *c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn plates_have_seven_characters_and_misreads_differ_by_one() {
        let mut rng = stream(3, "plates");
        for _ in 0..500 {
            let p = local_plate(&mut rng);
            assert_eq!(p.chars().count(), 7, "{p}");
            assert!(p.starts_with("鲁Q"));
            if let Some(m) = misread(&mut rng, &p) {
                let diff = p.chars().zip(m.chars()).filter(|(a, b)| a != b).count();
                assert_eq!(diff, 1, "{p} {m}");
            }
        }
    }
}
