//! VietQR (NAPAS, on EMVCo's merchant-presented QR): the payload a bank app shows to receive a
//! transfer. Parsed into the bank (its BIN), the account, the amount and the message, so the
//! reply can say plainly where the money would go.

/// A transfer a payment QR asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Payment {
    /// The bank's NAPAS BIN (6 digits).
    pub bin: String,
    /// The bank's name, when the BIN is known.
    pub bank: Option<&'static str>,
    /// The account (or card) number.
    pub account: String,
    /// The amount in đồng, when fixed.
    pub amount: Option<u64>,
    /// The transfer's message.
    pub message: Option<String>,
    /// The receiver's name, when given.
    pub name: Option<String>,
    /// The checksum matched.
    pub checksum_ok: bool,
}

/// NAPAS member BINs (the published VietQR bank list) and the names people know.
const BANKS: &[(&str, &str)] = &[
    ("970436", "Vietcombank"),
    ("970415", "VietinBank"),
    ("970418", "BIDV"),
    ("970405", "Agribank"),
    ("970422", "MB Bank"),
    ("970407", "Techcombank"),
    ("970416", "ACB"),
    ("970432", "VPBank"),
    ("970423", "TPBank"),
    ("970403", "Sacombank"),
    ("970437", "HDBank"),
    ("970441", "VIB"),
    ("970443", "SHB"),
    ("970431", "Eximbank"),
    ("970426", "MSB"),
    ("970448", "OCB"),
    ("970454", "Bản Việt (BVBank)"),
    ("970429", "SCB"),
    ("970440", "SeABank"),
    ("970449", "LPBank"),
    ("970425", "ABBANK"),
    ("970428", "Nam A Bank"),
    ("970412", "PVcomBank"),
    ("970427", "VietABank"),
    ("970438", "BaoViet Bank"),
    ("970430", "PGBank"),
    ("970400", "Saigonbank"),
    ("970409", "Bac A Bank"),
    ("970419", "NCB"),
    ("970414", "MBV (Oceanbank)"),
    ("970406", "Vikki Bank (DongA)"),
    ("970408", "GPBank"),
    ("970452", "KienlongBank"),
    ("970433", "Vietbank"),
    ("970424", "Shinhan Bank"),
    ("970458", "UOB"),
    ("970457", "Woori Bank"),
    ("970439", "Public Bank"),
    ("970434", "Indovina Bank"),
    ("970421", "VRB"),
    ("970442", "Hong Leong Bank"),
    ("970455", "IBK"),
    ("970410", "Standard Chartered"),
    ("458761", "HSBC"),
    ("546034", "CAKE by VPBank"),
    ("546035", "Ubank by VPBank"),
    ("963388", "Timo"),
    ("971005", "Viettel Money"),
    ("971011", "VNPT Money"),
];

/// The bank of a BIN.
#[must_use]
pub fn bank(bin: &str) -> Option<&'static str> {
    BANKS.iter().find(|(b, _)| *b == bin).map(|(_, n)| *n)
}

/// The TLV fields of an EMV payload (`None` if it is not well formed).
fn fields(s: &str) -> Option<Vec<(String, String)>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let tag: String = chars.get(i..i + 2)?.iter().collect();
        let len: usize = chars.get(i + 2..i + 4)?.iter().collect::<String>().parse().ok()?;
        let value: String = chars.get(i + 4..i + 4 + len)?.iter().collect();
        if !tag.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push((tag, value));
        i += 4 + len;
    }
    Some(out)
}

fn get<'a>(fields: &'a [(String, String)], tag: &str) -> Option<&'a str> {
    fields.iter().find(|(t, _)| t == tag).map(|(_, v)| v.as_str())
}

/// CRC-16/CCITT-FALSE, as EMV QR codes use.
fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xffff;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// A VietQR transfer, if `payload` is one (an EMV payload with NAPAS's GUID in field 38).
#[must_use]
pub fn parse(payload: &str) -> Option<Payment> {
    let payload = payload.trim();
    if !payload.starts_with("000201") {
        return None;
    }
    let top = fields(payload)?;
    let merchant = fields(get(&top, "38")?)?;
    if !get(&merchant, "00")?.eq_ignore_ascii_case("A000000727") {
        return None;
    }
    let beneficiary = fields(get(&merchant, "01")?)?;
    let bin = get(&beneficiary, "00")?.to_owned();
    let account = get(&beneficiary, "01")?.to_owned();
    let amount = get(&top, "54").and_then(|a| a.split('.').next()?.parse().ok());
    let message = get(&top, "62").and_then(fields).and_then(|f| get(&f, "08").map(str::to_owned));
    let name = get(&top, "59").map(str::to_owned).filter(|n| !n.is_empty());
    let checksum_ok = payload.len() >= 4
        && payload.is_char_boundary(payload.len() - 4)
        && u16::from_str_radix(&payload[payload.len() - 4..], 16).ok()
            == Some(crc16(&payload.as_bytes()[..payload.len() - 4]));
    Some(Payment { bank: bank(&bin), bin, account, amount, message, name, checksum_ok })
}

/// Builds a VietQR payload (for tests and examples).
#[must_use]
pub fn build(bin: &str, account: &str, amount: Option<u64>, message: Option<&str>) -> String {
    let tlv = |tag: &str, v: &str| format!("{tag}{:02}{v}", v.chars().count());
    let beneficiary = tlv("00", bin) + &tlv("01", account);
    let merchant = tlv("00", "A000000727") + &tlv("01", &beneficiary) + &tlv("02", "QRIBFTTA");
    let mut s =
        tlv("00", "01") + &tlv("01", if amount.is_some() { "12" } else { "11" }) + &tlv("38", &merchant);
    s += &tlv("53", "704");
    if let Some(a) = amount {
        s += &tlv("54", &a.to_string());
    }
    s += &tlv("58", "VN");
    if let Some(m) = message {
        s += &tlv("62", &tlv("08", m));
    }
    s += "6304";
    let crc = crc16(s.as_bytes());
    format!("{s}{crc:04X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vietqr_transfer_is_read_back_with_its_bank_amount_and_message() {
        let p = build("970436", "0123456789", Some(500_000), Some("PHI NHAN THUONG"));
        let t = parse(&p).expect("vietqr");
        assert_eq!(t.bank, Some("Vietcombank"));
        assert_eq!((t.account.as_str(), t.amount), ("0123456789", Some(500_000)));
        assert_eq!(t.message.as_deref(), Some("PHI NHAN THUONG"));
        assert!(t.checksum_ok);
        // A static code without amount, an unknown BIN, a damaged checksum.
        let t = parse(&build("999999", "12", None, None)).expect("static");
        assert_eq!((t.bank, t.amount, t.message), (None, None, None));
        let mut bad = build("970418", "1", None, None);
        bad.replace_range(bad.len() - 4.., "0000");
        assert!(!parse(&bad).expect("still parsed").checksum_ok);
        // Not VietQR.
        assert!(parse("https://vietcombank.com.vn").is_none());
        assert!(parse("000201010211").is_none());
        assert!(parse("0002010102115").is_none());
    }
}
