//! Every fixed Vietnamese sentence the bot says, in one place, in one tone (anh/chị, short).

/// First line of the welcome.
pub const WELCOME: &str = "Xin chào anh/chị! Tôi là canhgiac, trợ lý giúp nhận diện và phòng chống lừa đảo trực tuyến theo cẩm nang của Cục An toàn thông tin.";

/// What the bot does.
pub const WHAT_I_DO: [&str; 5] = [
    "Kiểm tra tin nhắn: dán hoặc chuyển tiếp tin nhắn đáng ngờ, tôi cho biết có dấu hiệu lừa đảo không và nên làm gì.",
    "Hỏi đáp: hỏi về 24 hình thức lừa đảo, cách phòng tránh, nơi báo cáo (có dấu hay không dấu đều được).",
    "Trắc nghiệm: 10 câu hỏi ngắn để tự kiểm tra, câu sai sẽ được hỏi lại lần sau.",
    "Mẹo hàng tuần: đăng ký để nhận một mẹo cảnh giác mỗi tuần.",
    "Báo cáo lừa đảo: gửi số điện thoại, số tài khoản, đường link của kẻ gian (/baocaolua); khi quản trị viên xác nhận, mọi người kiểm tra sẽ được cảnh báo.",
];

/// The privacy line of the welcome, once the user has agreed.
pub const PRIVACY_REMINDER: &str = "Quyền riêng tư: tôi không lưu nội dung tin nhắn anh/chị gửi. Xem dữ liệu tôi lưu: /dulieucuatoi; rút lại đồng ý: /rutdongy; xóa dữ liệu: /xoadulieu.";
/// A step that stores something, asked for before consent (the notice follows).
pub const CONSENT_NEEDED: &str =
    "Để làm việc này, tôi cần lưu một ít dữ liệu về anh/chị, nên cần anh/chị đồng ý trước.";
/// The same in a group (the notice goes to private chats only).
pub const CONSENT_IN_PRIVATE: &str = "Để làm việc này, anh/chị cần đồng ý cho tôi xử lý dữ liệu trước: hãy nhắn riêng cho tôi, gõ /start và bấm \"Đồng ý\".";
/// Shown once with the first answer to someone who has not agreed yet.
pub const FIRST_CONTACT: &str = "Anh/chị chưa đồng ý cho tôi xử lý dữ liệu. Tôi vẫn trả lời bình thường và không lưu gì về anh/chị; muốn làm trắc nghiệm hay nhận mẹo, anh/chị đọc thông báo dưới đây nhé.";
/// Consent given.
pub const CONSENTED: &str = "Cảm ơn anh/chị đã đồng ý. Anh/chị có thể xem dữ liệu (/dulieucuatoi) hoặc rút lại đồng ý (/rutdongy) bất cứ lúc nào. Anh/chị muốn làm gì tiếp?";
/// `/dulieucuatoi` or `/rutdongy` in a group.
pub const PRIVATE_CHAT_ONLY: &str =
    "Để giữ kín dữ liệu của anh/chị, hãy nhắn lệnh này trong chat riêng với tôi.";
/// Consent given again.
pub const ALREADY_CONSENTED: &str = "Anh/chị đã đồng ý rồi. Xem dữ liệu tôi lưu: /dulieucuatoi; rút lại đồng ý: /rutdongy. Anh/chị muốn làm gì tiếp?";
/// Consent refused.
pub const DECLINED: &str = "Tôi đã ghi nhận anh/chị không đồng ý và sẽ không lưu gì về anh/chị. Anh/chị vẫn kiểm tra tin nhắn và hỏi đáp được như bình thường.";
/// Consent refused by someone with stored data (from an earlier consent).
pub const DECLINED_HAS_DATA: &str =
    "Tôi vẫn còn giữ dữ liệu từ lần anh/chị dùng trước. Anh/chị có muốn xóa ngay không?";
/// Consent withdrawn.
pub const WITHDRAWN: &str = "Đã rút lại đồng ý. Từ giờ tôi ngừng xử lý dữ liệu của anh/chị: không gửi mẹo, không lưu tiến độ trắc nghiệm. Anh/chị vẫn kiểm tra tin nhắn và hỏi đáp được.";
/// `/rutdongy` from someone who has not agreed.
pub const NOT_CONSENTED: &str =
    "Anh/chị chưa đồng ý (hoặc đã rút lại), nên tôi không xử lý dữ liệu của anh/chị.";
/// Deleting offered after a withdrawal.
pub const OFFER_DELETE: &str =
    "Dữ liệu đã lưu vẫn được giữ đến hết thời hạn lưu. Anh/chị có muốn xóa ngay không?";
/// Nothing stored about the user.
pub const NOTHING_STORED: &str = "Tôi không lưu dữ liệu nào về anh/chị.";
/// What is never stored.
pub const NEVER_STORED: &str =
    "Tôi không lưu nội dung tin nhắn hay câu hỏi anh/chị gửi; chỉ đếm số lượt theo ngày, không gắn với ai.";
/// The rights, after `/dulieucuatoi`.
pub const SUBJECT_RIGHTS: &str = "Anh/chị có thể rút lại đồng ý (/rutdongy) hoặc xóa toàn bộ dữ liệu (/xoadulieu) bất cứ lúc nào; yêu cầu được thực hiện ngay.";

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
/// Prompt after `/baocaolua` without text.
pub const ASK_FOR_REPORT: &str = "Anh/chị hãy dán tin nhắn lừa đảo, hoặc gửi số điện thoại, số tài khoản, đường link của kẻ gian cần báo cáo.";
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
pub const GROUP_QUIZ_PRIVACY: &str = "Để lập bảng xếp hạng, tôi lưu tên anh/chị đang hiển thị và các câu trả lời trong bài này, chỉ của người đã đồng ý với thông báo quyền riêng tư (nhắn riêng /start cho tôi để xem và đồng ý). Gõ /xoadulieu (trong chat riêng với tôi) để xóa bất cứ lúc nào.";
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

// Scam reports.

/// Nothing to report in the text.
pub const REPORT_NOTHING: &str = "Tôi không tìm thấy số điện thoại, số tài khoản hay đường link nào để ghi nhận trong nội dung này. Anh/chị hãy gửi kèm số, số tài khoản hoặc link của kẻ gian.";
/// The list of what a report records.
pub const REPORT_WILL_RECORD: &str = "Tôi sẽ ghi nhận các mục sau để quản trị viên xem xét:";
/// Official entries, never recorded.
pub const REPORT_OFFICIAL: &str = "Các mục sau là số hoặc trang chính thức, tôi không ghi nhận (kẻ gian có thể mạo danh, nhưng bản thân số, trang này không phải của chúng):";
/// What a report keeps.
pub const REPORT_PRIVACY: &str = "Tôi chỉ lưu các mục trên, hình thức lừa đảo gần nhất và ngày báo cáo; không lưu nội dung tin nhắn hay tên của anh/chị.";
/// Report cancelled.
pub const REPORT_CANCELLED: &str = "Đã hủy, tôi không ghi nhận gì.";
/// Everything was reported by this person already.
pub const REPORT_REPEATED: &str =
    "Anh/chị đã báo cáo các mục này rồi, tôi không ghi nhận thêm. Cảm ơn anh/chị!";
/// The daily limit.
pub const REPORT_LIMIT: &str =
    "Hôm nay anh/chị đã báo cáo nhiều mục; các mục còn lại anh/chị gửi lại vào ngày mai nhé.";
/// What happens next.
pub const REPORT_NEXT: &str = "Quản trị viên sẽ xem xét. Khi được xác nhận, ai gửi tin nhắn có các mục này cho tôi kiểm tra sẽ được cảnh báo.";
/// What happens next, with feedback.
pub const REPORT_NEXT_FEEDBACK: &str = "Quản trị viên sẽ xem xét; tôi sẽ nhắn anh/chị một lần khi có kết quả. Khi được xác nhận, ai gửi tin nhắn có các mục này cho tôi kiểm tra sẽ được cảnh báo.";
/// `/duyet` with nothing pending.
pub const REVIEW_EMPTY: &str = "Không có báo cáo nào chờ duyệt.";
/// "Bỏ qua".
pub const REVIEW_SKIPPED: &str = "Đã bỏ qua, mục này vẫn chờ duyệt.";
/// An entity that no longer exists.
pub const REVIEW_GONE: &str = "Mục này không còn trong danh sách (có thể đã hết thời hạn lưu).";
/// Confirming an official number or domain.
pub const REVIEW_OFFICIAL: &str = "Đây là số hoặc tên miền chính thức, tôi không xác nhận là lừa đảo qua bot. Nếu thật sự cần, anh/chị hãy nhờ người vận hành máy chủ xác nhận trực tiếp.";
/// `/gobaocao` without an argument.
pub const UNCONFIRM_USAGE: &str = "Cách dùng: /gobaocao <số điện thoại, số tài khoản hoặc tên miền>.";
/// `/gobaocao` on a pending entity.
pub const UNCONFIRM_PENDING: &str = "Mục này đang chờ duyệt, chưa có quyết định nào để rút lại.";
/// `/gobaocao` on an unknown entity.
pub const UNCONFIRM_UNKNOWN: &str = "Không tìm thấy mục này trong danh sách báo cáo.";

/// The reply to greetings, thanks and questions off the campaign's topic.
pub const SMALL_TALK: &str = "Chào anh/chị! Tôi chuyên giúp nhận diện lừa đảo trực tuyến: anh/chị có thể dán tin nhắn, đường link hay số điện thoại cần kiểm tra, hoặc hỏi về các hình thức lừa đảo và cách phòng tránh.";

/// The question when a text could be a received message or a question.
pub const UNSURE: &str =
    "Anh/chị muốn tôi kiểm tra nội dung này như một tin nhắn nhận được, hay trả lời nó như một câu hỏi?";

/// `/web` when the web console is not served at a public address.
pub const CONSOLE_OFF: &str = "Trang quản trị trên web chưa được bật. Anh/chị nhờ người vận hành máy chủ bật trang web và khai báo địa chỉ công khai của máy chủ (Hướng dẫn vận hành, mục 19).";
