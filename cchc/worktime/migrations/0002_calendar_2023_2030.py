"""Ships the calendar of 2023–2030: the verified official schedules of 2025 and 2026
(CALENDAR.md) and, for every other holiday, the days computed from the Labour Code
(cchc.worktime.rules at the time of writing, source "computed").

The rows are written out rather than computed here so that the migration gives the same data
whatever later versions of the rules or of the `holidays` package say.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import migrations

# (date, kind, name, legal basis, source)
ROWS = [
    # 2023
    ('2023-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2023-01-02', 'compensatory', 'Nghỉ bù Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    ('2023-01-20', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-01-21', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-01-22', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-01-23', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-01-24', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-01-25', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-01-26', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-04-29', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2023-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2023-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2023-05-02', 'compensatory', 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    ('2023-05-03', 'compensatory', 'Nghỉ bù Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    ('2023-09-01', 'holiday', 'Quốc khánh (ngày liền kề)', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2023-09-02', 'holiday', 'Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2023-09-04', 'compensatory', 'Nghỉ bù Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    # 2024
    ('2024-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2024-02-08', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2024-02-09', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2024-02-10', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2024-02-11', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2024-02-12', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2024-02-13', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2024-02-14', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2024-04-18', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2024-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2024-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2024-09-02', 'holiday', 'Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2024-09-03', 'holiday', 'Quốc khánh (ngày liền kề)', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    # 2025
    ('2025-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2025-01-25', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-01-26', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-01-27', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-01-28', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-01-29', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-01-30', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-01-31', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-02-01', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-02-02', 'tet', 'Tết Nguyên đán Ất Tỵ', 'Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC', 'official'),
    ('2025-04-07', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-04-26', 'makeup_working', 'Làm bù cho Thứ Sáu 02/05/2025', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-05-02', 'swapped', 'Nghỉ hoán đổi (làm bù Thứ Bảy 26/04/2025)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-05-03', 'holiday', 'Nghỉ lễ 30/4 – 1/5 (cuối tuần)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-05-04', 'holiday', 'Nghỉ lễ 30/4 – 1/5 (cuối tuần)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-08-30', 'holiday', 'Nghỉ lễ Quốc khánh (cuối tuần)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-08-31', 'holiday', 'Nghỉ lễ Quốc khánh (cuối tuần)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-09-01', 'holiday', 'Quốc khánh (ngày liền kề)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    ('2025-09-02', 'holiday', 'Quốc khánh (2/9)', 'Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])', 'official'),
    # 2026
    ('2026-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2026-02-14', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-15', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-16', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-17', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-18', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-19', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-20', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-21', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-02-22', 'tet', 'Tết Nguyên đán Bính Ngọ', 'Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])', 'official'),
    ('2026-04-26', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2026-04-27', 'compensatory', 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    ('2026-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2026-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2026-09-01', 'holiday', 'Quốc khánh (ngày liền kề)', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2026-09-02', 'holiday', 'Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    # 2027
    ('2027-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2027-02-04', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2027-02-05', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2027-02-06', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2027-02-07', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2027-02-08', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2027-02-09', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2027-02-10', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2027-04-16', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2027-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2027-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2027-05-03', 'compensatory', 'Nghỉ bù Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    ('2027-09-02', 'holiday', 'Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2027-09-03', 'holiday', 'Quốc khánh (ngày liền kề)', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    # 2028
    ('2028-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2028-01-03', 'compensatory', 'Nghỉ bù Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    ('2028-01-22', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-23', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-24', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-25', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-26', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-27', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-28', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-29', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-01-30', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-04-04', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2028-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2028-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2028-05-02', 'compensatory', 'Nghỉ bù Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    ('2028-09-01', 'holiday', 'Quốc khánh (ngày liền kề)', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2028-09-02', 'holiday', 'Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2028-09-04', 'compensatory', 'Nghỉ bù Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    # 2029
    ('2029-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2029-02-10', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-11', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-12', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-13', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-14', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-15', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-16', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-17', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-02-18', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-04-23', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2029-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2029-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2029-09-02', 'holiday', 'Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2029-09-03', 'holiday', 'Quốc khánh (ngày liền kề)', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2029-09-04', 'compensatory', 'Nghỉ bù Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)', 'computed'),
    # 2030
    ('2030-01-01', 'holiday', 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2030-01-31', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2030-02-01', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2030-02-02', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2030-02-03', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2030-02-04', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2030-02-05', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2030-02-06', 'tet', 'Tết Nguyên đán', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
    ('2030-04-12', 'holiday', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2030-04-30', 'holiday', 'Ngày Chiến thắng (30/4)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2030-05-01', 'holiday', 'Ngày Quốc tế Lao động (1/5)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2030-09-02', 'holiday', 'Quốc khánh (2/9)', 'Bộ luật Lao động 2019, Điều 112 khoản 1', 'computed'),
    ('2030-09-03', 'holiday', 'Quốc khánh (ngày liền kề)', 'Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)', 'computed'),
]

REASON = "Dữ liệu ban đầu: lịch 2023–2030 (lịch chính thức 2025, 2026 đã kiểm chứng; các ngày khác dự tính theo Bộ luật Lao động)."


def forwards(apps, schema_editor):
    CalendarDay = apps.get_model("worktime", "CalendarDay")
    CalendarChange = apps.get_model("worktime", "CalendarChange")
    CalendarRevision = apps.get_model("worktime", "CalendarRevision")
    for date, kind, name, basis, source in ROWS:
        day = dt.date.fromisoformat(date)
        CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name, "legal_basis": basis, "source": source}
        )
        CalendarChange.objects.create(
            action="day_set",
            date=day,
            after={"kind": kind, "name": name, "legal_basis": basis, "source": source},
            reason=REASON,
            actor_name="migration",
        )
    CalendarRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


def backwards(apps, schema_editor):
    CalendarDay = apps.get_model("worktime", "CalendarDay")
    CalendarDay.objects.filter(date__in=[dt.date.fromisoformat(r[0]) for r in ROWS]).delete()
    CalendarRevision = apps.get_model("worktime", "CalendarRevision")
    CalendarRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class Migration(migrations.Migration):
    dependencies = [("worktime", "0001_calendar_schema")]

    operations = [migrations.RunPython(forwards, backwards)]
