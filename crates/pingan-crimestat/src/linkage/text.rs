//! Chinese word segmentation of modus-operandi text.

use jieba_rs::Jieba;

/// Words too common in police narratives to say anything about an offender.
const STOP: &[&str] = &[
    "嫌疑人",
    "犯罪嫌疑人",
    "被害人",
    "报警",
    "报案",
    "发现",
    "称其",
    "其在",
    "一辆",
    "一名",
    "一部",
    "某某",
    "左右",
    "期间",
    "当时",
    "时许",
    "位于",
    "以及",
    "进行",
    "没有",
    "已经",
    "经过",
    "我们",
    "他们",
];

/// A jieba segmenter (the dictionary is embedded; building one takes tens of milliseconds, so
/// build it once and share it).
pub struct Segmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Segmenter(jieba default dictionary)")
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Segmenter {
    /// A segmenter with jieba's default dictionary.
    pub fn new() -> Self {
        Self {
            jieba: Jieba::new(),
        }
    }

    /// The informative terms of `text`: jieba words of two or more characters, minus stop
    /// words, lower-cased (for Latin letters), in order of appearance and with repeats.
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.jieba
            .cut(text, false)
            .into_iter()
            .map(str::trim)
            .filter(|w| {
                w.chars().count() >= 2 && w.chars().any(char::is_alphanumeric) && !STOP.contains(w)
            })
            .map(str::to_lowercase)
            .collect()
    }
}
