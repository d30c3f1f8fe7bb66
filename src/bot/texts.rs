//! Every fixed Vietnamese sentence the bot says, in one place, in one tone (anh/chị, short).

/// First line of the welcome.
pub const WELCOME: &str = "Xin chào anh/chị! Tôi là canhgiac, trợ lý giúp nhận diện và phòng chống lừa đảo trực tuyến theo cẩm nang của Cục An toàn thông tin.";

/// What the bot does.
pub const WHAT_I_DO: [&str; 4] = [
    "Kiểm tra tin nhắn: dán hoặc chuyển tiếp tin nhắn đáng ngờ, tôi cho biết có dấu hiệu lừa đảo không và nên làm gì.",
    "Hỏi đáp: hỏi về 24 hình thức lừa đảo, cách phòng tránh, nơi báo cáo (có dấu hay không dấu đều được).",
    "Trắc nghiệm: 10 câu hỏi ngắn để tự kiểm tra, câu sai sẽ được hỏi lại lần sau.",
    "Mẹo hàng tuần: đăng ký để nhận một mẹo cảnh giác mỗi tuần.",
];

/// The privacy notice (Decree 13/2023/NĐ-CP).
pub const PRIVACY: [&str; 4] = [
    "Tôi chỉ lưu: mã người dùng của nền tảng, thời điểm anh/chị bắt đầu dùng, lựa chọn nhận mẹo hàng tuần, tiến độ và kết quả trắc nghiệm.",
    "Tôi không lưu nội dung tin nhắn anh/chị gửi kiểm tra hay câu hỏi; chỉ đếm số lượt theo ngày, không gắn với ai. Nội dung được giữ tạm trong bộ nhớ tối đa 15 phút để hiện thêm chi tiết khi anh/chị bấm nút.",
    "Mục đích: trả lời anh/chị, gửi mẹo khi anh/chị đăng ký, thống kê chung cho báo cáo triển khai.",
    "Dữ liệu được giữ đến khi anh/chị xóa: gõ /xoadulieu bất cứ lúc nào.",
];

/// Commands only admins see in the help.
pub const ADMIN_HELP: [(&str, &str); 3] = [
    ("/guimeo", "gửi ngay mẹo tuần này cho mọi nơi đã đăng ký"),
    ("/phatcanhbao <nội dung>", "phát cảnh báo (xem trước, rồi bấm xác nhận)"),
    ("/thongke", "xem thống kê chiến dịch"),
];
/// Admin command from someone else.
pub const ADMIN_ONLY: &str = "Xin lỗi, lệnh này chỉ dành cho quản trị viên chiến dịch.";
/// Group subscription by an ordinary member.
pub const GROUP_ONLY_STAFF: &str = "Trong nhóm, chỉ quản trị viên hoặc người hướng dẫn mới đăng ký (hay hủy) nhận mẹo cho cả nhóm. Anh/chị có thể nhắn riêng cho tôi và gõ /dangky.";
/// A Zalo subscriber who does not follow the OA.
pub const FOLLOW_TO_RECEIVE: &str = "Lưu ý: Zalo chỉ cho phép gửi mẹo hàng tuần tới người quan tâm Official Account. Anh/chị hãy bấm \"Quan tâm\" để nhận nhé.";
/// Group unsubscribed.
pub const GROUP_UNSUBSCRIBED: &str = "Đã hủy đăng ký cho nhóm. Nhóm sẽ không nhận mẹo và cảnh báo nữa.";
/// `/phatcanhbao` without text.
pub const ALERT_USAGE: &str =
    "Cách dùng: /phatcanhbao <nội dung cảnh báo>. Tôi sẽ cho xem trước và chỉ gửi khi anh/chị bấm xác nhận.";
/// Alert cancelled.
pub const ALERT_CANCELLED: &str = "Đã hủy, cảnh báo không được gửi.";
/// Alert button pressed again.
pub const ALERT_GONE: &str = "Cảnh báo này đã được gửi hoặc đã hủy.";
/// Help.
pub const HELP: [(&str, &str); 10] = [
    ("/kiemtra <tin nhắn>", "kiểm tra một tin nhắn"),
    ("/hoi <câu hỏi>", "hỏi đáp theo cẩm nang"),
    ("/quiz", "làm bài trắc nghiệm 10 câu"),
    ("/5khong", "năm điều không để tránh bị lừa"),
    ("/baocao", "báo cáo lừa đảo ở đâu"),
    ("/dangky", "nhận mẹo cảnh giác hàng tuần"),
    ("/huydangky", "ngừng nhận mẹo hàng tuần"),
    ("/xoadulieu", "xóa mọi dữ liệu về anh/chị"),
    ("/trogiup", "xem hướng dẫn này"),
    ("/start", "mở menu chính"),
];

/// Prompt after "Kiểm tra tin nhắn".
pub const ASK_FOR_MESSAGE: &str =
    "Anh/chị hãy dán (hoặc chuyển tiếp) nguyên văn tin nhắn cần kiểm tra vào đây.";
/// Prompt after "Hỏi đáp".
pub const ASK_FOR_QUESTION: &str = "Anh/chị cứ hỏi, ví dụ: \"bị gọi điện dọa khóa sim phải làm sao\" hoặc \"việc nhẹ lương cao có phải lừa đảo không\".";
/// Unreadable content.
pub const UNSUPPORTED: &str =
    "Tôi chưa đọc được loại nội dung này. Anh/chị hãy dán phần chữ của tin nhắn để tôi kiểm tra nhé.";
/// Unknown command.
pub const UNKNOWN_COMMAND: &str = "Tôi chưa hiểu lệnh này. Các lệnh anh/chị có thể dùng:";
/// Subscribed.
pub const SUBSCRIBED: &str = "Đã đăng ký! Mỗi tuần anh/chị sẽ nhận một mẹo cảnh giác ngắn, và cảnh báo khi có thủ đoạn lừa đảo mới. Gõ /huydangky để ngừng bất cứ lúc nào.";
/// Unsubscribed.
pub const UNSUBSCRIBED: &str = "Đã hủy đăng ký. Anh/chị sẽ không nhận mẹo hàng tuần và cảnh báo nữa.";
/// Delete confirmation question.
pub const CONFIRM_DELETE: &str = "Anh/chị có chắc muốn xóa mọi dữ liệu tôi lưu về anh/chị (đăng ký mẹo, tiến độ và kết quả trắc nghiệm)? Việc này không hoàn tác được.";
/// Deleted.
pub const DELETED: &str =
    "Đã xóa toàn bộ dữ liệu về anh/chị. Nếu nhắn tiếp, anh/chị sẽ được coi là người dùng mới.";
/// Nothing to delete.
pub const NOTHING_TO_DELETE: &str = "Tôi không lưu dữ liệu nào về anh/chị.";
/// Delete cancelled.
pub const DELETE_CANCELLED: &str = "Đã hủy, dữ liệu của anh/chị vẫn được giữ nguyên.";
/// A button whose context has expired.
pub const EXPIRED: &str =
    "Nội dung này đã hết hạn (tôi chỉ giữ tạm 15 phút). Anh/chị gửi lại tin nhắn hoặc câu hỏi nhé.";
/// A quiz answer for a question already answered.
pub const STALE_QUIZ: &str = "Câu này đã được trả lời rồi. Anh/chị xem câu hiện tại ở tin nhắn mới nhất nhé.";
/// No quiz running.
pub const NO_QUIZ: &str = "Hiện không có bài trắc nghiệm nào đang làm. Gõ /quiz để bắt đầu.";
