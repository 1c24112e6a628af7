"""Write odd_harmless.jsonl: odd but harmless comments (all ham), for `commentgate eval --odd`.

Numbers, units, dates, code, markup, emoji runs, other scripts, single letters and words,
one-word comments and quotes of an article, in Vietnamese and English. Every item is listed
or composed here by the project's authors; nothing is copied from a dataset or a site.
Run from the repository root: ``python data/odd_harmless.py``.
"""

import json
from pathlib import Path

NUMBERS = """1,000,000.00|0.0/0|-1E2|123456789012345678901234567890|12345|0|-0|3.14159265358979
1e-9|NaN|Infinity|-273.15|6.022e23|1/3|2^10 = 1024|100%|99.9%|0.5|1.000.000 đồng|1.5 tỷ
50.000đ|2.000.000 VNĐ|$19.99|€5|¥1000|£3.20|7,5 điểm|10/10|9.5/10|3-1|2 - 2|1:0|+84
000000|111111111|42|007|1234567890|9876543210|3,14|2.718281828|√2 ≈ 1.414|π|∞|±0.5
-1|+1|x2|x10|#1|No. 5|1st|2nd|3rd|100k|5tr|2 củ|30 triệu|1 tỷ 2|0,01%|12h|24/7|365
10^9|1.0e+10|0x1F|0b1010|0o777|255.255.255.0|127.0.0.1|192.168.1.1|::1|3.0.1|v2.4.1
1 2 3 4 5 6 7 8 9 10|1, 2, 3, 4, 5|5 4 3 2 1|11 22 33 44|99 99 99|2020 2021 2022 2023"""
UNITS = """5 km|120 km/h|36.6°C|38 độ|1,5 kg|500 g|2 lít|330 ml|220V|50 Hz|4 GB RAM|512 GB
1 TB|5G|3.5 mm|1,75 m|60 kg|PM2.5 = 180 µg/m³|AQI 156|8 tấn|3 ha|200 m²|15 phút|2 tiếng
90 phút|45'|1 tháng|3 năm|6,8 độ richter|7 độ Richter|0 độ C|-5°C|100 mmHg|120/80 mmHg
5 mg|10 mEq/L|1.2 GHz|30 fps|4K|1080p|16:9|f/1.8|ISO 800|1/250 s|18-55mm|12 V 7 Ah"""
DATES = """01/01/2024|1/1|30/4|2/9|20-11-2023|2023-11-20|2024-02-10T08:00:00Z|12:30|23h59
Thứ Hai|thứ 7|CN|ngày mai|hôm qua|tết 2025|mùng 1 Tết|15/8 âm lịch|Q3/2024|năm 1975
1945|1000 năm|thế kỷ 21|TK XX|Monday|Jan 1st|31 Dec 1999|Y2K|2038-01-19 03:14:07|FY2024
20:00 tối nay|7h sáng|5h chiều mai|10.10.2024|09/09|11/11|12.12|ngày 27/7|1/6"""
CODE = """print("hello")|x = x + 1|if (a > b) { return a; }|SELECT * FROM users;|<br>
<div class="a">hi</div>|<b>đậm</b>|**in đậm**|_nghiêng_|`code`|```python
print(1)
```|def f(x): return x*2|for i in range(10): pass|console.log(42)|#include <stdio.h>
int main() { return 0; }|git commit -m "fix"|npm install|pip install numpy|ls -la|rm -rf /
sudo apt update|a[i] = b[j]|f(x) = x² + 2x + 1|y = mx + b|E = mc²|H₂O|CO₂|x₁ + x₂ = 5
aᵢⱼ|10⁻⁶|m/s²|∑ i = n(n+1)/2|∫ f(x) dx|∀x ∃y|¬p ∨ q|A ∩ B|{}|[]|()|<>|/* */|//|-->
null|None|undefined|true|false|NaN == NaN|0 == "0"|{"a": 1}|[1, 2, 3]|<?php echo 1; ?>
$var|%d|\\n|\\t|&nbsp;|&amp;|&lt;3|<3|</3|^_^|:)|:(|:D|;)|:P|xD|T_T|=))|:v|-_-"""
SINGLE = """F|NULL|COM2|CON|PRN|AUX|LPT1|nul|a|b|x|z|Q|?|!|.|..|...|?!|!!!|???|+|-|=|*|#|@|&|~
ok|OK|okie|uh|ừ|ờ|ừm|hm|hả|ủa|ơ|à|vâng|dạ|không|có|đúng|sai|hay|dở|tốt|xấu|buồn|vui
wow|lol|haha|hihi|kkk|hehe|huhu|meh|yes|no|nope|yep|true|test|asdf|qwerty|abc|xyz|lorem
first|1st|đầu tiên|tem|hóng|like|up|top|+1|-1|same|this|^|^^|↑|→|←|✓|✗|×|÷|°|§|¶|†"""
EMOJI = """😀|😂😂😂|🤣🤣🤣🤣🤣|😭😭😭|❤️❤️❤️|👍|👍👍👍👍|🙏🙏🙏|🔥🔥🔥|💯|😡😡|😢|🤔|🇻🇳🇻🇳🇻🇳
😍🥰😘|👏👏👏👏👏👏|🎉🎊🎉|🌸🌸🌸|☀️🌧️⛈️|⚽⚽|🏆|🐶🐱|🍜🍚🥢|🚗🛵🚲|💔|😴|🤷‍♂️|🤦‍♀️|👀
🙂🙂|😅|😎|🥲|😤😤😤|😱|🫡|🤡|🌚|💀💀|(╯°□°）╯︵ ┻━┻|¯\\_(ツ)_/¯|ಠ_ಠ|(｡◕‿◕｡)|♥♥♥|★★★★★|☆☆☆"""
SCRIPTS = """谢谢|你好|新闻|中国|ありがとう|こんにちは|日本|감사합니다|안녕하세요|Спасибо|Привет
Россия|Ελλάδα|αβγ|Ω|שלום|مرحبا|شكرا|नमस्ते|ขอบคุณ|สวัสดี|ສະບາຍດີ|សួស្តី|ဟယ်လို
Merci beaucoup|Danke schön|Gracias|Obrigado|Grazie|Xin chào 你好 hello|Ça va?|Größe|Ñandú
naïve café|Zürich|Kraków|İstanbul|Ærø|Þórr|ǅ|ﬁ|Ｆｕｌｌｗｉｄｔｈ|𝐁𝐨𝐥𝐝|𝓈𝒸𝓇𝒾𝓅𝓉|ⓒ|™|®|©"""
WORDS = """Hay|Đồng ý|Chuẩn|Quá đỉnh|Tuyệt vời|Buồn quá|Thương quá|Tiếc|Chia buồn|RIP|Vô lý
Thật à|Sao vậy|Ghê|Xịn|Cảm ơn|Cám ơn tác giả|Hà Nội|Sài Gòn|Đà Nẵng|Huế|Việt Nam
Agreed|Thanks|Nice|Great|Sad|Wrong|Why|Source?|Link?|Fake|Interesting|Congrats|Same here
Bravo|Respect|Amen|Noted|Ditto|Correct|Typo|Hmm|Wait what|Finally|Ugh|Yikes|Cool|Sure"""
QUOTES = """"Giá xăng RON95 tăng 500 đồng/lít từ 15h chiều nay." Lại tăng rồi.
Trích bài: "Nhiệt độ cao nhất 39-41 độ C, độ ẩm 45%". Nóng thật.
"Tổng vốn đầu tư 1.234 tỷ đồng" - con số lớn quá.
"GDP quý 3 tăng 7,4%": tin vui.
> Lãi suất huy động giảm 0,5 điểm %
"Tỷ số 2-1 sau 90 phút" — đá hay.
Bài viết ghi "1,2 triệu lượt khách" chắc là 12 triệu chứ?
"Dự kiến hoàn thành trong Q4/2025". Chờ xem.
"mưa lớn 100-150 mm" -> cẩn thận ngập
Câu "giảm 30% so với cùng kỳ" hơi mơ hồ, so với năm nào?
"The index fell 2.3% to 1,245.67 points." Ouch.
Quote: "temperatures of 40°C (104°F)". Stay safe.
"3 of 5 patients recovered" - that is 60%.
"Version 2.0 ships 01/03" — can't wait.
"E = mc²" as the article says.
Tác giả viết "H₂SO₄" là axit sunfuric, đúng rồi.
Đoạn "1 USD = 25.400 VNĐ" là tỷ giá hôm nay à?
"Cao 1m75, nặng 70kg" ghi trong bài.
"Mã số thuế 0101234567" — công ty này có thật.
"ISO 9001:2015" là chứng chỉ gì vậy mọi người?"""
MIXED = """Điểm thi 27.5|Mã đề 101|Câu 3 đáp án B|Phòng 404|Tầng 12A|Xe 29A-123.45|Quốc lộ 1A
QL5|KM 35+200|Tuyến 03|Bus 32|Chuyến VN123|Ghế 12C|Mẫu 02-TK|Điều 8 khoản 2|Luật 2013
Mục 3.2.1|Trang 15|Hình 2|Bảng 4|Chương IV|Phần II|Số 5/2024/NĐ-CP|TT 01/2024|CV 123/UBND
iPhone 15|Galaxy S24|Windows 11|macOS 14|Android 14|Python 3.12|USB-C|HDMI 2.1|Wi-Fi 6
COVID-19|H5N1|SARS-CoV-2|mRNA|DNA|ADN|WHO|UNESCO|ASEAN|APEC|G20|NATO|FIFA|AFF Cup 2024
U23|SEA Games 32|V.League|Top 10|Top 1|Bài 2|Ví dụ 1|A1|B2|C1|ĐH|THPT|THCS|GS.TS|PGS
MC|DJ|CEO|CFO|HR|IT|AI|IoT|5G|VR|AR|UI/UX|B2B|KPI|OKR|ROI|GDP|CPI|FDI|ODA|VAT|TNCN"""
REPEATS = [
    "1" * 40,
    "0" * 25,
    "9" * 15,
    "a" * 20,
    "ha" * 15,
    "=" * 30,
    "-" * 40,
    "." * 20,
    "?" * 10,
    "!" * 12,
    "z" * 8,
    "ố ồ " * 5,
    "12" * 20,
    "x " * 15,
    "* " * 10,
]


def items() -> list[str]:
    """Every odd text, in order, without duplicates."""
    texts: list[str] = []
    for block in (NUMBERS, UNITS, DATES, CODE, SINGLE, EMOJI, SCRIPTS, WORDS, MIXED):
        texts += [part for line in block.split("\n") for part in line.split("|")]
    texts += QUOTES.split("\n") + REPEATS
    texts = [text.strip() for text in texts if text.strip()]
    return list(dict.fromkeys(texts))


def main() -> None:
    path = Path(__file__).with_name("odd_harmless.jsonl")
    rows = [
        {"text": text, "label": "ham", "source": "commentgate_odd",
         "lang": "vi" if any(ord(c) > 127 for c in text) else "en"}
        for text in items()
    ]  # fmt: skip
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    print(f"{len(rows)} texts written to {path}")


if __name__ == "__main__":
    main()
