"""Vietnamese word pools for the made-up parts of the demo: village and agency names in the register,
people, models and decisions in the demo workbooks. Every function draws from the `random.Random`
it is given, so the caller's seed fixes the output."""

from __future__ import annotations

import random
import unicodedata

# --- places -----------------------------------------------------------------------------------------
PLACE_FIRST = [
    "Phú",
    "Bình",
    "Tân",
    "Xuân",
    "An",
    "Thanh",
    "Long",
    "Phước",
    "Thuận",
    "Hiệp",
    "Vĩnh",
    "Hưng",
    "Mỹ",
    "Đông",
    "Tây",
    "Lạc",
    "Hòa",
    "Thạnh",
    "Lợi",
    "Ninh",
    "Hải",
    "Tiến",
    "Đức",
    "Gia",
    "Minh",
]
PLACE_SECOND = [
    "Lạc",
    "Hòa",
    "Thạnh",
    "Lợi",
    "An",
    "Điền",
    "Sơn",
    "Thủy",
    "Phong",
    "Long",
    "Hưng",
    "Bình",
    "Thành",
    "Tài",
    "Trung",
    "Mỹ",
    "Nghĩa",
    "Lâm",
    "Hiệp",
    "Quý",
    "Khánh",
    "Xuân",
]

UNIT_PREFIXES = ("Thành phố ", "Thị xã ", "Huyện ", "Phường ", "Thị trấn ", "Xã ", "Tỉnh ")


def bare_name(name: str) -> str:
    """'Phường Mũi Né' -> 'Mũi Né'."""
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def in_sentence(name: str) -> str:
    """'Huyện Tuy Phong' -> 'huyện Tuy Phong', as it reads after another noun."""
    for prefix in UNIT_PREFIXES:
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return name


def is_urban(commune_name: str) -> bool:
    return commune_name.startswith(("Phường ", "Thị trấn "))


def village_names(rng: random.Random, commune_name: str, count: int) -> list[str]:
    """Khu phố 1..n in a phường or thị trấn; Thôn 1..n or named thôn in a xã."""
    if is_urban(commune_name):
        return [f"Khu phố {i}" for i in range(1, count + 1)]
    if rng.random() < 0.55:
        return [f"Thôn {i}" for i in range(1, count + 1)]
    names: list[str] = []
    while len(names) < count:
        first, second = rng.choice(PLACE_FIRST), rng.choice(PLACE_SECOND)
        name = f"Thôn {first} {second}"
        if first != second and name not in names:
            names.append(name)
    return names


# The other tone-mark placement of a syllable ending in oa/oe/uy ("hòa" -> "hoà"): the same name
# to the pipeline, a different spelling to the eye.
_OLD_STYLE = {
    "òa": "oà",
    "óa": "oá",
    "ỏa": "oả",
    "õa": "oã",
    "ọa": "oạ",
    "òe": "oè",
    "óe": "oé",
    "ỏe": "oẻ",
    "õe": "oẽ",
    "ọe": "oẹ",
    "ùy": "uỳ",
    "úy": "uý",
    "ủy": "uỷ",
    "ũy": "uỹ",
    "ụy": "uỵ",
}


def other_tone_placement(name: str) -> str:
    words = []
    for word in name.split(" "):
        low = word.lower()
        for new, old in _OLD_STYLE.items():
            if low.endswith(new):
                word = word[: -len(new)] + (old.capitalize() if word[-2].isupper() else old)
                break
        words.append(word)
    return unicodedata.normalize("NFC", " ".join(words))


# --- agencies ---------------------------------------------------------------------------------------
PROVINCE_OFFICES = [
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Văn phòng UBND tỉnh",
    "Văn phòng Tỉnh ủy",
    "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
    "Thanh tra tỉnh",
    "Ban Dân tộc tỉnh",
    "Ban Quản lý các khu công nghiệp tỉnh",
    "Ban Tổ chức Tỉnh ủy",
    "Ban Tuyên giáo Tỉnh ủy",
    "Ban Dân vận Tỉnh ủy",
    "Ban Nội chính Tỉnh ủy",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "Ủy ban MTTQ Việt Nam tỉnh",
    "Tỉnh Đoàn",
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Hội Nông dân tỉnh",
    "Hội Cựu chiến binh tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Liên minh Hợp tác xã tỉnh",
    "Hội Chữ thập đỏ tỉnh",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh",
    "Hội Văn học nghệ thuật tỉnh",
    "Báo Bình Thuận",
    "Đài Phát thanh - Truyền hình Bình Thuận",
    "Tòa án nhân dân tỉnh",
    "Viện Kiểm sát nhân dân tỉnh",
    "Cục Thi hành án dân sự tỉnh",
    "Cục Thuế tỉnh",
    "Cục Thống kê tỉnh",
    "Kho bạc Nhà nước Bình Thuận",
    "Bảo hiểm xã hội tỉnh",
    "Ngân hàng Nhà nước chi nhánh tỉnh Bình Thuận",
    "Chi nhánh Ngân hàng Chính sách xã hội tỉnh Bình Thuận",
    "Cục Quản lý thị trường tỉnh",
    "Bệnh viện Đa khoa tỉnh",
    "Bệnh viện Y dược cổ truyền tỉnh",
    "Bệnh viện Phổi tỉnh",
    "Bệnh viện Da liễu tỉnh",
    "Trung tâm Kiểm soát bệnh tật tỉnh",
    "Trung tâm Pháp y tỉnh",
    "Trung tâm Giám định y khoa tỉnh",
    "Chi cục Kiểm lâm",
    "Chi cục Thủy lợi",
    "Chi cục Thủy sản",
    "Chi cục Trồng trọt và Bảo vệ thực vật",
    "Chi cục Chăn nuôi và Thú y",
    "Chi cục Phát triển nông thôn",
    "Chi cục Bảo vệ môi trường",
    "Chi cục Quản lý đất đai",
    "Chi cục Tiêu chuẩn Đo lường Chất lượng",
    "Chi cục Dân số - Kế hoạch hóa gia đình",
    "Chi cục An toàn vệ sinh thực phẩm",
    "Chi cục Văn thư - Lưu trữ",
    "Ban Thi đua - Khen thưởng",
    "Ban Tôn giáo",
    "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch",
    "Trung tâm Dịch vụ việc làm",
    "Trung tâm Công tác xã hội",
    "Trung tâm Bảo trợ xã hội",
    "Cơ sở cai nghiện ma túy tỉnh",
    "Trung tâm Khuyến nông",
    "Trung tâm Nước sạch và Vệ sinh môi trường nông thôn",
    "Trung tâm Quan trắc tài nguyên và môi trường",
    "Văn phòng Đăng ký đất đai",
    "Trung tâm Công nghệ thông tin và Truyền thông",
    "Trung tâm Trợ giúp pháp lý nhà nước",
    "Phòng Công chứng số 1",
    "Trung tâm Dịch vụ đấu giá tài sản",
    "Thư viện tỉnh",
    "Bảo tàng tỉnh",
    "Trung tâm Văn hóa tỉnh",
    "Đoàn Ca múa nhạc Biển Xanh",
    "Trung tâm Huấn luyện và Thi đấu thể dục thể thao",
    "Ban Quản lý Khu du lịch quốc gia Mũi Né",
    "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp",
    "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông",
    "Ban Quản lý dự án đầu tư xây dựng các công trình nông nghiệp và phát triển nông thôn",
    "Ban Quản lý Khu bảo tồn thiên nhiên Núi Ông",
    "Ban Quản lý Khu bảo tồn biển Hòn Cau",
    "Trung tâm Đăng kiểm xe cơ giới",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Quỹ Đầu tư phát triển tỉnh",
    "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng",
    "Trung tâm Giám định chất lượng xây dựng",
    "Trung tâm Lưu trữ lịch sử tỉnh",
]

PROVINCE_SCHOOLS = [
    "Trường THPT Chuyên Trần Hưng Đạo",
    "Trường THPT Phan Bội Châu",
    "Trường THPT Phan Chu Trinh",
    "Trường THPT Bùi Thị Xuân",
    "Trường THPT Phan Thiết",
    "Trường THPT Hàm Thuận Bắc",
    "Trường THPT Nguyễn Văn Linh",
    "Trường THPT Hàm Thuận Nam",
    "Trường THPT Lương Thế Vinh",
    "Trường THPT Hàm Tân",
    "Trường THPT Huỳnh Thúc Kháng",
    "Trường THPT Tánh Linh",
    "Trường THPT Nguyễn Văn Trỗi",
    "Trường THPT Đức Linh",
    "Trường THPT Hùng Vương",
    "Trường THPT Quang Trung",
    "Trường THPT Lê Lợi",
    "Trường THPT Ngô Quyền",
    "Trường THPT Tuy Phong",
    "Trường THPT Hòa Đa",
    "Trường THPT Bắc Bình",
    "Trường THPT Nguyễn Thị Minh Khai",
    "Trường THPT Lý Thường Kiệt",
    "Trường THPT Nguyễn Huệ",
    "Trường THPT Nguyễn Trường Tộ",
    "Trường THPT Lê Quý Đôn",
    "Trường THPT Chu Văn An",
    "Trường THPT Trần Phú",
    "Trường THPT Nguyễn Trãi",
    "Trường THPT Đức Tân",
    "Trường THPT Nguyễn Khuyến",
    "Trường THPT Trần Quốc Tuấn",
    "Trường THPT Võ Thị Sáu",
    "Trường THPT Nguyễn Du",
    "Trường Phổ thông Dân tộc nội trú tỉnh",
    "Trường Cao đẳng Cộng đồng Bình Thuận",
    "Trường Cao đẳng Y tế Bình Thuận",
    "Trường Cao đẳng nghề Bình Thuận",
    "Trường Đại học Phan Thiết",
    "Trung tâm Giáo dục thường xuyên tỉnh",
    "Trường Chính trị tỉnh",
]

PROVINCE_COMPANIES = [
    "Công ty Điện lực Bình Thuận",
    "Viễn thông Bình Thuận",
    "Viettel Bình Thuận",
    "Bưu điện tỉnh Bình Thuận",
    "Công ty TNHH MTV Xổ số kiến thiết Bình Thuận",
    "Công ty Cổ phần Cấp thoát nước Bình Thuận",
    "Công ty Cổ phần Môi trường và Dịch vụ đô thị Bình Thuận",
    "Công ty TNHH MTV Khai thác công trình thủy lợi Bình Thuận",
    "Công ty Cổ phần Xe khách Bình Thuận",
    "Công ty Nhiệt điện Vĩnh Tân",
    "Công ty Cổ phần Du lịch Bình Thuận",
    "Công ty Cổ phần Dược - Vật tư Y tế Bình Thuận",
    "Công ty Cổ phần Cảng Phan Thiết",
    "Ngân hàng TMCP Ngoại thương Việt Nam - Chi nhánh Bình Thuận",
    "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam - Chi nhánh Bình Thuận",
    "Ngân hàng Nông nghiệp và Phát triển nông thôn - Chi nhánh Bình Thuận",
    "Ngân hàng TMCP Công Thương Việt Nam - Chi nhánh Bình Thuận",
]

COMPANY_FIELDS = [
    "Thủy sản",
    "Chế biến hải sản",
    "Nước mắm",
    "Xây dựng",
    "Vận tải",
    "Du lịch",
    "Thanh long",
    "Điện gió",
    "Điện mặt trời",
    "May mặc",
    "Gạch ngói",
    "Khoáng sản",
    "Vật liệu xây dựng",
    "Thương mại",
    "Dịch vụ",
    "Cơ khí",
    "Nông sản",
    "Xăng dầu",
    "Chế biến gỗ",
    "Muối",
]
BRAND_FIRST = [
    "Hải",
    "Phú",
    "Tân",
    "Long",
    "Thành",
    "Đại",
    "Việt",
    "Minh",
    "Sao",
    "Hoàng",
    "Kim",
    "Bảo",
    "Trường",
    "Quốc",
    "Thiên",
    "Nam",
    "Đông",
    "Hồng",
    "Ngọc",
    "Anh",
]
BRAND_SECOND = [
    "Phát",
    "Thịnh",
    "Hưng",
    "Long",
    "An",
    "Lộc",
    "Tín",
    "Nguyên",
    "Thành",
    "Biển",
    "Vinh",
    "Sơn",
    "Hà",
    "Phong",
    "Khang",
    "Đạt",
    "Tiến",
    "Mai",
    "Dương",
    "Châu",
]
COMPANY_FORMS = [
    "Công ty TNHH {field} {brand}",
    "Công ty Cổ phần {field} {brand}",
    "Công ty TNHH MTV {field} {brand}",
    "Doanh nghiệp tư nhân {brand}",
]
COOPERATIVE_FIELDS = ["Hợp tác xã Nông nghiệp", "Hợp tác xã Thanh long", "Hợp tác xã Dịch vụ", "Hợp tác xã Thủy sản"]


def company_name(rng: random.Random, used: set[str], cooperative_place: str | None = None) -> str:
    """A company (or, given a place, sometimes a cooperative) name not in `used`; adds it."""
    while True:
        if cooperative_place and rng.random() < 0.25:
            name = f"{rng.choice(COOPERATIVE_FIELDS)} {cooperative_place}"
        else:
            brand = f"{rng.choice(BRAND_FIRST)} {rng.choice(BRAND_SECOND)}"
            name = rng.choice(COMPANY_FORMS).format(field=rng.choice(COMPANY_FIELDS), brand=brand)
        if name not in used:
            used.add(name)
            return name


# District-level offices; {d} is the district as it reads in a sentence ("huyện Tuy Phong").
DISTRICT_OFFICES = [
    "Văn phòng HĐND và UBND {d}",
    "Phòng Nội vụ {d}",
    "Phòng Tư pháp {d}",
    "Phòng Tài chính - Kế hoạch {d}",
    "Phòng Tài nguyên và Môi trường {d}",
    "Phòng Lao động - Thương binh và Xã hội {d}",
    "Phòng Văn hóa và Thông tin {d}",
    "Phòng Giáo dục và Đào tạo {d}",
    "Phòng Y tế {d}",
    "Thanh tra {d}",
    "Trung tâm Y tế {d}",
    "Chi cục Thuế {d}",
    "Kho bạc Nhà nước {d}",
    "Bảo hiểm xã hội {d}",
    "Chi cục Thống kê {d}",
    "Tòa án nhân dân {d}",
    "Viện Kiểm sát nhân dân {d}",
    "Chi cục Thi hành án dân sự {d}",
    "Ủy ban MTTQ Việt Nam {d}",
    "Hội Liên hiệp Phụ nữ {d}",
    "Hội Nông dân {d}",
    "Hội Cựu chiến binh {d}",
    "Liên đoàn Lao động {d}",
    "Trung tâm Văn hóa - Thể thao {d}",
    "Ban Quản lý dự án đầu tư xây dựng {d}",
    "Trung tâm Phát triển quỹ đất {d}",
    "Phòng giao dịch Ngân hàng Chính sách xã hội {d}",
    "Bưu điện {d}",
    "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên {d}",
    "Hạt Kiểm lâm {d}",
    "Phòng Nông nghiệp và Phát triển nông thôn {d}",
    "Phòng Kinh tế và Hạ tầng {d}",
    "Phòng Dân tộc {d}",
]
SCHOOL_LEVELS = ["Trường Mầm non", "Trường Tiểu học", "Trường THCS"]

# --- people -----------------------------------------------------------------------------------------
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trương",
    "Đinh",
    "Lâm",
    "Mai",
    "Châu",
]
MALE_MIDDLE = ["Văn", "Minh", "Hữu", "Đức", "Quốc", "Thanh", "Ngọc", "Công", "Xuân", "Tấn"]
FEMALE_MIDDLE = ["Thị", "Thị Thu", "Thị Kim", "Ngọc", "Thị Minh", "Thị Thanh", "Thị Bích"]
MALE_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Nam",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Trung",
    "Tuấn",
    "Vinh",
    "Long",
    "Thắng",
    "Hòa",
    "Lộc",
    "Toàn",
    "Thành",
    "Tài",
]
FEMALE_GIVEN = [
    "Lan",
    "Mai",
    "Thảo",
    "Yến",
    "Hương",
    "Hạnh",
    "Trang",
    "Nga",
    "Loan",
    "Hoa",
    "Dung",
    "Phượng",
    "Hằng",
    "Nhung",
    "Vân",
    "Thủy",
]


def person_name(rng: random.Random, used: set[str]) -> str:
    """A full name not in `used`; adds it (so nobody appears twice where that matters)."""
    while True:
        if rng.random() < 0.7:
            name = f"{rng.choice(FAMILY)} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
        else:
            name = f"{rng.choice(FAMILY)} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"
        if name not in used:
            used.add(name)
            return name


FORCE_TITLES_URBAN = ["Bảo vệ dân phố", "Tổ trưởng Tổ bảo vệ dân phố"]
FORCE_TITLES_RURAL = ["Công an xã bán chuyên trách", "Phó Công an xã"]
COMMUNE_COLLECTIVES = ["Công an {place}", "Ban Chỉ đạo phong trào toàn dân bảo vệ an ninh Tổ quốc {place}"]
VILLAGE_COLLECTIVES = ["Tổ an ninh trật tự {place}", "Tổ tự quản an ninh trật tự {place}"]

# --- models -----------------------------------------------------------------------------------------
# Models of a commune; with a village they read "<model> <village>" ("Tổ liên gia tự quản Thôn 3").
MODEL_NAMES = {
    "1": [
        "Tổ giúp đỡ người lầm lỗi tái hòa nhập cộng đồng",
        "Nhóm giúp đỡ người chấp hành xong án phạt tù",
        "Câu lạc bộ giúp nhau hoàn lương",
        "Tổ tư vấn, giúp đỡ người tái hòa nhập cộng đồng",
    ],
    "2": [
        "Dòng họ không có người vi phạm pháp luật",
        "Tôn giáo với an ninh trật tự",
        "Người có uy tín tham gia bảo vệ an ninh trật tự",
        "Chức sắc tôn giáo tham gia giữ gìn an ninh trật tự",
    ],
    "3": [
        "Đoạn đường tự quản an toàn giao thông",
        "Cổng trường an toàn giao thông",
        "Tuyến đường tự quản về trật tự an toàn giao thông",
        "Bến đò an toàn",
    ],
    "4": [
        "Câu lạc bộ phòng, chống ma túy",
        "Khu dân cư không ma túy",
        "Tổ tư vấn cai nghiện ma túy tại cộng đồng",
        "Gia đình không có người nghiện ma túy",
    ],
    "5": [
        "Câu lạc bộ gia đình hạnh phúc",
        "Địa chỉ tin cậy ở cộng đồng",
        "Nhóm phòng, chống bạo lực gia đình",
        "Câu lạc bộ phòng, chống bạo lực gia đình",
    ],
    "6": [
        "Camera an ninh phòng, chống tội phạm",
        "Tổ tự quản an ninh trật tự",
        "Khu dân cư tự quản về an ninh trật tự",
        "Tổ liên gia tự quản",
        "Tổ dân phòng",
        "Tàu thuyền an toàn về an ninh trật tự",
    ],
}

# Models of the province's own agencies.
AGENCY_MODEL_NAMES = {
    "1": ["Doanh nghiệp tiếp nhận người chấp hành xong án phạt tù vào làm việc"],
    "2": ["Cán bộ, đảng viên gương mẫu gắn với khu dân cư"],
    "3": ["Cơ quan an toàn giao thông", "Trường học an toàn giao thông"],
    "4": ["Công nhân, người lao động không ma túy", "Học đường không ma túy"],
    "5": ["Công đoàn cơ sở phòng, chống bạo lực gia đình"],
    "6": [
        "Cơ quan, doanh nghiệp an toàn về an ninh trật tự",
        "Camera an ninh phòng, chống tội phạm",
        "Tổ bảo vệ tự quản cơ quan",
    ],
}
