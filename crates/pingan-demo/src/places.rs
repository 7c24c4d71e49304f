//! Key places (重点部位) and key road sections (重点路段).
//!
//! The list is written out by hand because the stories depend on it: the supply-and-marketing
//! store in Zhuanggang, the non-ferrous metals company within 2 km of Dashan community, the bus
//! station, the markets and schools of every town seat, and a scrap yard in Zhulu where a stolen
//! dumpster would end up.

use crate::model::{KeyPlace, KeyPlaceId, KeyRoad, TownId};
use crate::network::Net;
use crate::world::{to_lonlat, vid, Ground, TOWNS};

/// `(id, name, name_en, category, lattice vertex, offset in metres east/north)`.
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (usize, usize),
    (f64, f64),
);

const SPECS: [Spec; 48] = [
    (
        "kp-bus-station",
        "临港汽车站",
        "Linggang Bus Station",
        "bus_station",
        (21, 18),
        (120.0, 90.0),
    ),
    (
        "kp-metals",
        "临港有色金属公司",
        "Linggang Non-ferrous Metals Co.",
        "factory",
        (25, 14),
        (100.0, 90.0),
    ),
    (
        "kp-lg-market",
        "临港农贸市场",
        "Linggang Farmers' Market",
        "market",
        (18, 19),
        (-110.0, 100.0),
    ),
    (
        "kp-lg-school",
        "临港第一中学",
        "Linggang No. 1 Middle School",
        "school",
        (16, 21),
        (100.0, -120.0),
    ),
    (
        "kp-lg-primary",
        "临港实验小学",
        "Linggang Experimental Primary School",
        "school",
        (22, 21),
        (-90.0, 110.0),
    ),
    (
        "kp-hospital",
        "临港区人民医院",
        "Linggang District People's Hospital",
        "hospital",
        (18, 15),
        (120.0, 100.0),
    ),
    (
        "kp-brigade",
        "临港区治安巡防大队",
        "Linggang Patrol Brigade",
        "police",
        (20, 17),
        (-150.0, -110.0),
    ),
    (
        "kp-lg-police",
        "临港街道派出所",
        "Linggang Police Station",
        "police",
        (24, 19),
        (90.0, -90.0),
    ),
    (
        "kp-lg-gov",
        "临港区人民政府",
        "Linggang District Government",
        "government",
        (20, 20),
        (130.0, 120.0),
    ),
    (
        "kp-lg-square",
        "临港文化广场",
        "Linggang Culture Square",
        "square",
        (17, 17),
        (80.0, 80.0),
    ),
    (
        "kp-lg-bank",
        "临港农商银行",
        "Linggang Rural Commercial Bank",
        "bank",
        (22, 17),
        (80.0, -70.0),
    ),
    (
        "kp-lg-fuel",
        "临港大道加油站",
        "Linggang Avenue Petrol Station",
        "petrol_station",
        (10, 18),
        (0.0, 60.0),
    ),
    (
        "kp-zg-store",
        "壮岗供销商场",
        "Zhuanggang Supply and Marketing Store",
        "supply_store",
        (30, 30),
        (110.0, 80.0),
    ),
    (
        "kp-zg-market",
        "壮岗集市",
        "Zhuanggang Market",
        "market",
        (29, 31),
        (60.0, -80.0),
    ),
    (
        "kp-zg-school",
        "壮岗中学",
        "Zhuanggang Middle School",
        "school",
        (31, 29),
        (-80.0, 90.0),
    ),
    (
        "kp-zg-primary",
        "壮岗中心小学",
        "Zhuanggang Central Primary School",
        "school",
        (29, 29),
        (90.0, 100.0),
    ),
    (
        "kp-zg-police",
        "壮岗镇派出所",
        "Zhuanggang Police Station",
        "police",
        (31, 31),
        (-100.0, -60.0),
    ),
    (
        "kp-zg-gov",
        "壮岗镇人民政府",
        "Zhuanggang Town Government",
        "government",
        (30, 31),
        (120.0, 160.0),
    ),
    (
        "kp-zg-clinic",
        "壮岗镇卫生院",
        "Zhuanggang Health Centre",
        "clinic",
        (28, 30),
        (60.0, 90.0),
    ),
    (
        "kp-zg-stone",
        "壮岗石材厂",
        "Zhuanggang Stone Works",
        "factory",
        (36, 33),
        (100.0, 100.0),
    ),
    (
        "kp-zg-fuel",
        "壮岗路加油站",
        "Zhuanggang Road Petrol Station",
        "petrol_station",
        (30, 20),
        (60.0, 0.0),
    ),
    (
        "kp-tl-market",
        "团林集市",
        "Tuanlin Market",
        "market",
        (6, 13),
        (-90.0, 60.0),
    ),
    (
        "kp-tl-school",
        "团林中学",
        "Tuanlin Middle School",
        "school",
        (7, 11),
        (80.0, -90.0),
    ),
    (
        "kp-tl-primary",
        "团林中心小学",
        "Tuanlin Central Primary School",
        "school",
        (5, 11),
        (-80.0, 90.0),
    ),
    (
        "kp-tl-police",
        "团林镇派出所",
        "Tuanlin Police Station",
        "police",
        (7, 12),
        (60.0, 90.0),
    ),
    (
        "kp-tl-gov",
        "团林镇人民政府",
        "Tuanlin Town Government",
        "government",
        (6, 11),
        (-100.0, -80.0),
    ),
    (
        "kp-tl-clinic",
        "团林镇卫生院",
        "Tuanlin Health Centre",
        "clinic",
        (5, 13),
        (70.0, -60.0),
    ),
    (
        "kp-tl-works",
        "团林机械厂",
        "Tuanlin Machinery Works",
        "factory",
        (9, 9),
        (80.0, 80.0),
    ),
    (
        "kp-ps-market",
        "坪上集市",
        "Pingshang Market",
        "market",
        (12, 31),
        (-90.0, 60.0),
    ),
    (
        "kp-ps-school",
        "坪上中学",
        "Pingshang Middle School",
        "school",
        (13, 29),
        (80.0, -90.0),
    ),
    (
        "kp-ps-primary",
        "坪上中心小学",
        "Pingshang Central Primary School",
        "school",
        (11, 29),
        (-80.0, 90.0),
    ),
    (
        "kp-ps-police",
        "坪上镇派出所",
        "Pingshang Police Station",
        "police",
        (13, 30),
        (60.0, 90.0),
    ),
    (
        "kp-ps-gov",
        "坪上镇人民政府",
        "Pingshang Town Government",
        "government",
        (12, 29),
        (-100.0, -80.0),
    ),
    (
        "kp-ps-clinic",
        "坪上镇卫生院",
        "Pingshang Health Centre",
        "clinic",
        (11, 31),
        (70.0, -60.0),
    ),
    (
        "kp-ps-food",
        "坪上食品厂",
        "Pingshang Food Factory",
        "factory",
        (8, 33),
        (80.0, 80.0),
    ),
    (
        "kp-zl-market",
        "朱芦集市",
        "Zhulu Market",
        "market",
        (26, 7),
        (-90.0, 60.0),
    ),
    (
        "kp-zl-school",
        "朱芦中学",
        "Zhulu Middle School",
        "school",
        (27, 5),
        (80.0, -90.0),
    ),
    (
        "kp-zl-primary",
        "朱芦中心小学",
        "Zhulu Central Primary School",
        "school",
        (25, 5),
        (-80.0, 90.0),
    ),
    (
        "kp-zl-police",
        "朱芦镇派出所",
        "Zhulu Police Station",
        "police",
        (27, 6),
        (60.0, 90.0),
    ),
    (
        "kp-zl-gov",
        "朱芦镇人民政府",
        "Zhulu Town Government",
        "government",
        (26, 5),
        (-100.0, -80.0),
    ),
    (
        "kp-zl-clinic",
        "朱芦镇卫生院",
        "Zhulu Health Centre",
        "clinic",
        (25, 7),
        (70.0, -60.0),
    ),
    (
        "kp-zl-steel",
        "临港不锈钢产业园",
        "Linggang Stainless Steel Park",
        "factory",
        (33, 8),
        (100.0, 100.0),
    ),
    (
        "kp-zl-scrap",
        "朱芦废品收购站",
        "Zhulu Scrap Yard",
        "scrap_yard",
        (23, 3),
        (90.0, 70.0),
    ),
    (
        "kp-zl-logistics",
        "朱芦物流园",
        "Zhulu Logistics Park",
        "logistics",
        (34, 4),
        (100.0, -80.0),
    ),
    (
        "kp-zl-fuel",
        "206国道加油站",
        "National Road 206 Petrol Station",
        "petrol_station",
        (34, 6),
        (0.0, -60.0),
    ),
    (
        "kp-tl-fuel",
        "板团路加油站",
        "Bantuan Road Petrol Station",
        "petrol_station",
        (6, 8),
        (-60.0, 0.0),
    ),
    (
        "kp-lg-mall",
        "临港商业街",
        "Linggang Shopping Street",
        "market",
        (23, 18),
        (0.0, 120.0),
    ),
    (
        "kp-ps-temple",
        "坪上大集",
        "Pingshang Big Fair",
        "market",
        (10, 30),
        (0.0, 110.0),
    ),
];

/// `(id, name, name_en, road line name, horizontal?, index, from, to)`.
type RoadSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    usize,
    usize,
    usize,
);

const KEY_ROADS: [RoadSpec; 9] = [
    (
        "kr-bantuan-zhushagou",
        "板团路朱沙沟段",
        "Bantuan Road, Zhushagou section",
        "板团路",
        false,
        6,
        2,
        8,
    ),
    (
        "kr-linggang-bus",
        "临港大道汽车站段",
        "Linggang Avenue, bus station section",
        "临港大道",
        true,
        18,
        18,
        24,
    ),
    (
        "kr-zhuanggang-store",
        "壮岗路供销商场段",
        "Zhuanggang Road, store section",
        "壮岗路",
        false,
        30,
        28,
        32,
    ),
    (
        "kr-shuhe-centre",
        "沭河大道中心段",
        "Shuhe Avenue, centre section",
        "沭河大道",
        false,
        20,
        14,
        22,
    ),
    (
        "kr-tuanlin-seat",
        "团朱路团林段",
        "Tuanzhu Road, Tuanlin section",
        "团朱路",
        true,
        12,
        3,
        9,
    ),
    (
        "kr-pingshang-seat",
        "坪山路坪上段",
        "Pingshan Road, Pingshang section",
        "坪山路",
        true,
        30,
        9,
        15,
    ),
    (
        "kr-zhulu-seat",
        "206国道朱芦段",
        "National Road 206, Zhulu section",
        "206国道",
        true,
        6,
        23,
        29,
    ),
    (
        "kr-dashan-night",
        "中山路大山社区段(夜归路)",
        "Zhongshan Road, Dashan night-walk section",
        "中山路",
        true,
        14,
        22,
        26,
    ),
    (
        "kr-school-jianshe",
        "建设路学校段",
        "Jianshe Road, school section",
        "建设路",
        false,
        18,
        19,
        23,
    ),
];

/// A key place while the world is built: its public record, position in metres and road node.
#[derive(Debug, Clone)]
pub(crate) struct KeyPlaceGen {
    pub place: KeyPlace,
    pub xy: [f64; 2],
    pub node: usize,
}

/// Builds the key places; each is located in its town and tied to its nearest road node.
pub(crate) fn key_places(ground: &Ground, net: &Net) -> Vec<KeyPlaceGen> {
    SPECS
        .iter()
        .map(|(id, name, name_en, category, (i, j), (dx, dy))| {
            let base = ground.at(*i, *j);
            let xy = [base[0] + dx, base[1] + dy];
            let town = ground
                .locate(xy)
                .map(|(ci, cj)| crate::world::town_of_cell(ci, cj))
                .unwrap_or(0);
            KeyPlaceGen {
                place: KeyPlace {
                    id: KeyPlaceId((*id).to_owned()),
                    name: (*name).to_owned(),
                    name_en: (*name_en).to_owned(),
                    category: (*category).to_owned(),
                    town: TownId(TOWNS[town].id.to_owned()),
                    position: to_lonlat(xy),
                },
                xy,
                node: net.nearest_node(xy),
            }
        })
        .collect()
}

/// Builds the key road sections along their roads' lattice lines.
pub(crate) fn key_roads(ground: &Ground) -> Vec<KeyRoad> {
    KEY_ROADS
        .iter()
        .map(
            |(id, name, name_en, road, horizontal, index, from, to)| KeyRoad {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                name_en: (*name_en).to_owned(),
                road_name: (*road).to_owned(),
                line: (*from..=*to)
                    .map(|k| {
                        let v = if *horizontal {
                            vid(k, *index)
                        } else {
                            vid(*index, k)
                        };
                        to_lonlat(ground.pts[v])
                    })
                    .collect(),
            },
        )
        .collect()
}

/// The index of a key place by id (the ids above are fixed, so a miss is a programming error
/// caught by the tests; callers fall back to the first place).
pub(crate) fn find(places: &[KeyPlaceGen], id: &str) -> usize {
    places.iter().position(|p| p.place.id.0 == id).unwrap_or(0)
}
