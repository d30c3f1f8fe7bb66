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

/// The privacy notice (Law 91/2025/QH15 and Decree 356/2025/NĐ-CP; retention and consent as an explicit act come with the law-and-operations work).
pub const PRIVACY: [&str; 4] = [
    "Tôi chỉ lưu: mã người dùng của nền tảng, thời điểm anh/chị bắt đầu dùng, những ngày anh/chị dùng bot (để đếm số cán bộ được tiếp cận), lựa chọn nhận mẹo hàng tuần và các mẹo đã gửi, tiến độ và kết quả trắc nghiệm. Khi anh/chị tham gia trắc nghiệm nhóm, tôi lưu thêm tên anh/chị đang hiển thị trên Telegram/Zalo để lập bảng xếp hạng.",
    "Tôi không lưu nội dung tin nhắn anh/chị gửi kiểm tra hay câu hỏi; chỉ đếm số lượt theo ngày, không gắn với ai. Nội dung được giữ tạm trong bộ nhớ tối đa 15 phút để hiện thêm chi tiết khi anh/chị bấm nút.",
    "Mục đích: trả lời anh/chị, gửi mẹo khi anh/chị đăng ký, thống kê chung cho báo cáo triển khai.",
    "Dữ liệu được giữ đến khi anh/chị xóa: gõ /xoadulieu bất cứ lúc nào.",
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
/// First line of the help.
pub const HELP_INTRO: &str = "Tôi có thể giúp anh/chị:";

/// Something failed inside the bot.
pub const TROUBLE: &str = "Xin lỗi, tôi đang gặp trục trặc. Anh/chị thử lại sau ít phút nhé.";
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

// Trainers and group quizzes.

/// A trainer command from someone else.
pub const NOT_TRAINER: &str =
    "Lệnh này dành cho người hướng dẫn. Anh/chị có thể gõ /quiz để tự làm bài trắc nghiệm.";
/// The group quiz privacy line.
pub const GROUP_QUIZ_PRIVACY: &str = "Để lập bảng xếp hạng, tôi lưu tên anh/chị đang hiển thị và các câu trả lời trong bài này. Gõ /xoadulieu (trong chat riêng với tôi) để xóa bất cứ lúc nào.";
/// A group already running a quiz.
pub const GROUP_QUIZ_RUNNING: &str =
    "Nhóm đang có một bài trắc nghiệm. Gõ /dungquiz để kết thúc bài đó trước.";
/// No group quiz to stop.
pub const NO_GROUP_QUIZ: &str = "Hiện không có bài trắc nghiệm nhóm nào đang chạy.";
/// No session to show.
pub const NO_SESSIONS: &str = "Anh/chị chưa tổ chức bài trắc nghiệm nhóm nào. Gõ /quiznhom để bắt đầu.";
/// No questions for the choice.
pub const NO_GROUP_QUESTIONS: &str =
    "Không có câu hỏi nào phù hợp với lựa chọn này. Anh/chị thử chủ đề hoặc độ khó khác nhé.";
/// A code that matches no running session.
pub const UNKNOWN_CODE: &str =
    "Mã này không đúng hoặc bài trắc nghiệm đã kết thúc. Anh/chị kiểm tra lại mã với người hướng dẫn nhé.";
/// A session that has ended.
pub const GROUP_QUIZ_ENDED: &str = "Bài trắc nghiệm này đã kết thúc. Cảm ơn anh/chị đã tham gia!";
/// Group polls need Telegram.
pub const POLLS_NEED_TELEGRAM: &str = "Trắc nghiệm bằng bình chọn chỉ có trong nhóm Telegram. Trong chat riêng, tôi tạo mã để học viên tham gia.";
/// The CSV file needs Telegram.
pub const CSV_NEEDS_TELEGRAM: &str =
    "Tệp CSV chỉ gửi được qua Telegram. Quản trị viên có thể xuất bằng lệnh: canhgiac quiz export --session";

/// The reply to greetings, thanks and questions off the campaign's topic.
pub const SMALL_TALK: &str = "Chào anh/chị! Tôi chuyên giúp nhận diện lừa đảo trực tuyến: anh/chị có thể dán tin nhắn, đường link hay số điện thoại cần kiểm tra, hoặc hỏi về các hình thức lừa đảo và cách phòng tránh.";

/// The question when a text could be a received message or a question.
pub const UNSURE: &str =
    "Anh/chị muốn tôi kiểm tra nội dung này như một tin nhắn nhận được, hay trả lời nó như một câu hỏi?";
