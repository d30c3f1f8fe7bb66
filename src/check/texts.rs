//! The checker's fixed sentences, in Vietnamese: advice for each verdict and each kind of
//! input. Tactic-specific advice is content (`content/signals.yaml`, `advice:`).

/// The first advice line of a scam verdict.
pub const SCAM: &str = "Đây rất có thể là lừa đảo: không bấm vào đường link, không gọi lại số trong tin nhắn, không chuyển tiền và không cung cấp thông tin hay mã OTP.";

/// The first advice line of a suspicious verdict.
pub const SUSPICIOUS: &str = "Anh/chị chưa nên làm theo tin nhắn. Hãy tự liên hệ tổ chức được nhắc đến qua số tổng đài hoặc trang web chính thức mà anh/chị tự tra cứu, không dùng số điện thoại hay đường link trong tin nhắn.";

/// A message with no sign of fraud.
pub const SAFE: [&str; 2] = [
    "Chưa thấy dấu hiệu lừa đảo rõ ràng trong tin nhắn này.",
    "Dù vậy, anh/chị không cung cấp mã OTP, mật khẩu cho bất kỳ ai, kể cả người xưng là nhân viên ngân hàng hay công an.",
];

/// A link that is the official domain of a known organisation.
pub const OFFICIAL_LINK: &str = "Đây là tên miền chính thức đã biết. Dù vậy, hãy gõ địa chỉ hoặc mở ứng dụng chính thức thay vì bấm link nhận qua tin nhắn, và không nhập mã OTP theo yêu cầu của người khác.";

/// A link the checker can neither clear nor flag.
pub const LINK: [&str; 3] = [
    "Tôi chưa xác minh được đường link này: tên miền không thuộc danh sách chính thức đã biết và cũng chưa có trong danh sách lừa đảo.",
    "Chưa chắc chắn thì đừng đăng nhập, đừng nhập thông tin cá nhân, số thẻ hay mã OTP vào trang này. Với ngân hàng, ví điện tử và dịch vụ công, chỉ dùng ứng dụng chính thức hoặc tự gõ địa chỉ.",
    "Tra cứu tên miền tại tinnhiemmang.vn; gặp trang lừa đảo, báo cáo tại canhbao.khonggianmang.gov.vn.",
];

/// A phone number on its own.
pub const NUMBER: [&str; 3] = [
    "Tôi không thể khẳng định một số điện thoại là an toàn hay lừa đảo chỉ từ con số.",
    "Theo cẩm nang: công an, viện kiểm sát, ngân hàng không gọi điện yêu cầu chuyển tiền, đọc mã OTP hay cài ứng dụng. Người gọi xưng là cơ quan hay người thân thì anh/chị cúp máy và tự gọi lại số anh/chị đã biết.",
    "Nghi ngờ cuộc gọi lừa đảo: nhắn LD [số điện thoại] [nội dung] gửi 156; tin nhắn rác: S [số gửi] [nội dung] gửi 5656.",
];

/// An account number on its own.
pub const ACCOUNT: [&str; 3] = [
    "Tôi không thể khẳng định một số tài khoản là an toàn hay lừa đảo chỉ từ con số.",
    "Không chuyển tiền vào tài khoản cá nhân theo yêu cầu của người lạ, kể cả khi họ xưng là công an, ngân hàng, nhân viên giao hàng hay người thân đang gặp nạn. Hãy gọi lại người đó qua số anh/chị đã biết.",
    "Nếu đã chuyển tiền, gọi ngay tổng đài ngân hàng để yêu cầu tạm khóa giao dịch và trình báo công an nơi gần nhất.",
];

/// Where to report, at the end of every warning.
pub const REPORT: &str = "Báo cáo tin nhắn lừa đảo: nhắn S [số/tên gửi] [nội dung] tới 5656 hoặc 156; cuộc gọi lừa đảo: LD [số điện thoại] [nội dung] tới 156; trang web lừa đảo: canhbao.khonggianmang.gov.vn. Nếu đã mất tiền, gọi ngay ngân hàng và trình báo công an.";
