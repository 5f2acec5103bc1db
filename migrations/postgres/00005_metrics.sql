-- +goose Up
-- The metrics catalogue: every operational metric criteria may read, how its
-- values over months and quarters make a year's (combine), and whether an
-- agency may enter it for itself (self_report). The reference entries below
-- are criteria.ReferenceMetrics with those two facts added; a store test
-- keeps the two lists equal, so a metric added there needs a migration here.
-- Seeding in the migration (rather than from code at start-up) gives every
-- database the catalogue the moment it has the table, with no command to
-- forget.
CREATE TABLE metrics (
    code        TEXT PRIMARY KEY,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    combine     TEXT NOT NULL CHECK (combine IN ('sum', 'last', 'mean')),
    self_report BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order  INTEGER NOT NULL DEFAULT 0
);

INSERT INTO metrics (code, name_vi, name_en, unit, description, combine, self_report, sort_order) VALUES
    ('plan_tasks_total', 'Số nhiệm vụ trong kế hoạch CCHC năm', 'Tasks in the annual PAR plan', 'nhiệm vụ', '', 'last', TRUE, 10),
    ('plan_tasks_done', 'Số nhiệm vụ trong kế hoạch CCHC đã hoàn thành', 'Annual PAR plan tasks completed', 'nhiệm vụ', 'Số lũy kế đến cuối kỳ. (Cumulative count at the end of the period.)', 'last', TRUE, 20),
    ('assigned_tasks_total', 'Số nhiệm vụ được UBND tỉnh giao', 'Tasks assigned by the provincial People''s Committee', 'nhiệm vụ', '', 'sum', TRUE, 30),
    ('assigned_tasks_done', 'Số nhiệm vụ được giao hoàn thành đúng hạn', 'Assigned tasks completed on time', 'nhiệm vụ', '', 'sum', TRUE, 40),
    ('units_total', 'Số đơn vị, bộ phận trực thuộc', 'Subordinate units', 'đơn vị', '', 'last', TRUE, 50),
    ('units_inspected', 'Số đơn vị, bộ phận trực thuộc được kiểm tra CCHC', 'Subordinate units inspected on PAR', 'đơn vị', '', 'sum', TRUE, 60),
    ('initiatives_adopted', 'Số sáng kiến, giải pháp CCHC được công nhận', 'PAR initiatives recognised', 'sáng kiến', '', 'sum', TRUE, 70),
    ('legal_docs_planned', 'Số văn bản QPPL phải ban hành hoặc tham mưu theo kế hoạch', 'Legal documents planned', 'văn bản', '', 'last', TRUE, 80),
    ('legal_docs_on_time', 'Số văn bản QPPL ban hành hoặc tham mưu đúng tiến độ', 'Legal documents issued on schedule', 'văn bản', '', 'sum', TRUE, 90),
    ('legal_docs_issued', 'Số văn bản QPPL đã ban hành trong năm', 'Legal documents issued in the year', 'văn bản', '', 'sum', TRUE, 100),
    ('legal_docs_self_checked', 'Số văn bản QPPL được tự kiểm tra sau khi ban hành', 'Legal documents self-checked after issue', 'văn bản', '', 'sum', TRUE, 110),
    ('procedures_total', 'Số thủ tục hành chính thuộc thẩm quyền giải quyết', 'Administrative procedures handled', 'thủ tục', 'Số tại cuối kỳ. (Count at the end of the period.)', 'last', FALSE, 120),
    ('procedures_published', 'Số thủ tục hành chính được công khai đầy đủ, đúng quy định', 'Procedures published in full', 'thủ tục', 'Số tại cuối kỳ. (Count at the end of the period.)', 'last', FALSE, 130),
    ('procedures_online_full', 'Số thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình', 'Procedures offered fully online', 'thủ tục', 'Số tại cuối kỳ. (Count at the end of the period.)', 'last', FALSE, 140),
    ('records_received', 'Số hồ sơ tiếp nhận mới trong kỳ', 'Records received in the period', 'hồ sơ', '', 'sum', FALSE, 150),
    ('records_total', 'Số hồ sơ phải giải quyết trong kỳ (kỳ trước chuyển sang và tiếp nhận mới)', 'Records to handle in the period (carried over and new)', 'hồ sơ', 'Tồn kỳ trước cộng tiếp nhận mới. Cộng các tháng sẽ tính hồ sơ chuyển kỳ nhiều lần: hệ thống nên gửi thêm giá trị của năm. (Carried over plus new: summing months counts carried-over records more than once, so send the yearly value too.)', 'sum', FALSE, 160),
    ('records_resolved', 'Số hồ sơ đã giải quyết trong kỳ', 'Records resolved in the period', 'hồ sơ', '', 'sum', FALSE, 170),
    ('records_early', 'Số hồ sơ giải quyết trước hạn', 'Records resolved before the deadline', 'hồ sơ', '', 'sum', FALSE, 180),
    ('records_on_time', 'Số hồ sơ giải quyết đúng hạn (kể cả trước hạn)', 'Records resolved by the deadline (early included)', 'hồ sơ', 'Gồm cả hồ sơ giải quyết trước hạn. (Includes records resolved early.)', 'sum', FALSE, 190),
    ('records_late', 'Số hồ sơ giải quyết quá hạn', 'Records resolved after the deadline', 'hồ sơ', '', 'sum', FALSE, 200),
    ('records_late_apologised', 'Số hồ sơ quá hạn có văn bản xin lỗi', 'Late records with a letter of apology', 'hồ sơ', '', 'sum', FALSE, 210),
    ('records_online', 'Số hồ sơ nộp trực tuyến', 'Records submitted online', 'hồ sơ', '', 'sum', FALSE, 220),
    ('records_payable', 'Số hồ sơ phải nộp phí, lệ phí', 'Records subject to fees', 'hồ sơ', '', 'sum', FALSE, 230),
    ('records_paid_online', 'Số hồ sơ thanh toán phí, lệ phí trực tuyến', 'Records paid online', 'hồ sơ', '', 'sum', FALSE, 240),
    ('records_digitised', 'Số hồ sơ được số hóa khi tiếp nhận', 'Records digitised on receipt', 'hồ sơ', '', 'sum', FALSE, 250),
    ('results_digitised', 'Số kết quả giải quyết thủ tục hành chính được số hóa', 'Procedure results digitised', 'hồ sơ', '', 'sum', FALSE, 260),
    ('records_reused_data', 'Số hồ sơ tái sử dụng dữ liệu đã số hóa', 'Records reusing digitised data', 'hồ sơ', '', 'sum', FALSE, 270),
    ('records_synced', 'Số hồ sơ được đồng bộ trạng thái lên Cổng Dịch vụ công quốc gia', 'Records synchronised to the National Public Service Portal', 'hồ sơ', '', 'sum', FALSE, 280),
    ('feedback_received', 'Số phản ánh, kiến nghị tiếp nhận', 'Feedback and petitions received', 'phản ánh, kiến nghị', '', 'sum', FALSE, 290),
    ('feedback_resolved', 'Số phản ánh, kiến nghị đã xử lý xong', 'Feedback and petitions resolved', 'phản ánh, kiến nghị', '', 'sum', FALSE, 300),
    ('ratings_total', 'Số lượt đánh giá mức độ hài lòng tại bộ phận một cửa', 'Satisfaction ratings at the one-stop shop', 'lượt đánh giá', '', 'sum', FALSE, 310),
    ('ratings_satisfied', 'Số lượt đánh giá hài lòng và rất hài lòng', 'Ratings satisfied or very satisfied', 'lượt đánh giá', '', 'sum', FALSE, 320),
    ('staff_reduction_target', 'Số biên chế phải tinh giản theo kế hoạch', 'Staff reductions planned', 'người', '', 'last', TRUE, 330),
    ('staff_reduced', 'Số biên chế đã tinh giản', 'Staff reductions made', 'người', '', 'sum', TRUE, 340),
    ('civil_servants_total', 'Số cán bộ, công chức, viên chức', 'Civil servants and public employees', 'người', '', 'last', TRUE, 350),
    ('civil_servants_trained', 'Số cán bộ, công chức, viên chức được đào tạo, bồi dưỡng trong năm', 'Civil servants trained in the year', 'người', '', 'sum', TRUE, 360),
    ('civil_servants_qualified', 'Số cán bộ, công chức đạt chuẩn theo quy định', 'Civil servants meeting the standards', 'người', '', 'last', TRUE, 370),
    ('budget_allocated', 'Kế hoạch vốn đầu tư công được giao', 'Public investment allocated', 'triệu đồng', '', 'last', TRUE, 380),
    ('budget_disbursed', 'Vốn đầu tư công đã giải ngân', 'Public investment disbursed', 'triệu đồng', '', 'sum', TRUE, 390),
    ('budget_revenue_estimate', 'Dự toán thu ngân sách được giao', 'Budget revenue estimate', 'triệu đồng', '', 'last', TRUE, 400),
    ('budget_revenue_collected', 'Số thu ngân sách thực hiện', 'Budget revenue collected', 'triệu đồng', '', 'sum', TRUE, 410),
    ('public_service_units_total', 'Số đơn vị sự nghiệp công lập trực thuộc', 'Public service units', 'đơn vị', '', 'last', TRUE, 420),
    ('public_service_units_autonomous', 'Số đơn vị sự nghiệp công lập tự bảo đảm chi thường xuyên trở lên', 'Public service units financially autonomous', 'đơn vị', '', 'last', TRUE, 430),
    ('outgoing_docs_total', 'Số văn bản đi', 'Outgoing documents', 'văn bản', '', 'sum', TRUE, 440),
    ('outgoing_docs_digital', 'Số văn bản đi được ký số và gửi trên môi trường điện tử', 'Outgoing documents signed digitally and sent electronically', 'văn bản', '', 'sum', TRUE, 450),
    ('socio_targets_total', 'Số chỉ tiêu phát triển kinh tế - xã hội được giao', 'Socio-economic targets assigned', 'chỉ tiêu', '', 'last', TRUE, 460),
    ('socio_targets_met', 'Số chỉ tiêu phát triển kinh tế - xã hội đạt hoặc vượt', 'Socio-economic targets met', 'chỉ tiêu', 'Đánh giá tại cuối kỳ. (Assessed at the end of the period.)', 'last', TRUE, 470);

-- Observations, current values: one row per (unit, period, metric). period
-- is the text form 2026-03, 2026-Q1 or 2026 (parindex.ParsePeriod); year
-- repeats its year so that a year's figures are one index range.
--
-- History design: a current table plus an append-only history table, not
-- one append-only table whose latest row is current. Every read (a year's
-- metrics for scoring, a unit's page, the API) then reads current values by
-- key, with no "latest row per key" query, and a re-sent unchanged value
-- writes nothing at all. A correction moves the replaced row into
-- metric_observation_history and writes an audit row, in one transaction.
CREATE TABLE metric_observations (
    org_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    period      TEXT NOT NULL,
    metric_code TEXT NOT NULL REFERENCES metrics (code),
    year        INTEGER NOT NULL,
    value       DOUBLE PRECISION NOT NULL CHECK (value >= 0),
    source      TEXT NOT NULL CHECK (source IN ('api', 'import', 'agency', 'demo')),
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (org_unit_id, period, metric_code)
);
CREATE INDEX metric_observations_year_idx ON metric_observations (year, org_unit_id);

-- Replaced values, append-only (the triggers below refuse UPDATE and DELETE).
CREATE TABLE metric_observation_history (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    org_unit_id   BIGINT NOT NULL REFERENCES org_units (id),
    period        TEXT NOT NULL,
    metric_code   TEXT NOT NULL REFERENCES metrics (code),
    value         DOUBLE PRECISION NOT NULL,
    source        TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    recorded_by   TEXT NOT NULL,
    superseded_at TIMESTAMPTZ NOT NULL,
    superseded_by TEXT NOT NULL
);
CREATE INDEX metric_observation_history_key_idx ON metric_observation_history (org_unit_id, period, metric_code);

-- API tokens of other systems. Only the SHA-256 hash of the secret is kept;
-- prefix is its first characters, to recognise a token in lists. No unit:
-- the token reaches every unit.
CREATE TABLE api_tokens (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    org_unit_id  BIGINT REFERENCES org_units (id),
    can_write    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TIMESTAMPTZ,
    revoked_by   TEXT NOT NULL DEFAULT '',
    last_used_at TIMESTAMPTZ
);

-- +goose StatementBegin
CREATE FUNCTION metric_observation_history_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'metric_observation_history is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER metric_observation_history_no_change BEFORE UPDATE OR DELETE ON metric_observation_history
    FOR EACH ROW EXECUTE FUNCTION metric_observation_history_frozen();

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE metric_observation_history;
DROP FUNCTION metric_observation_history_frozen();
DROP TABLE metric_observations;
DROP TABLE metrics;
