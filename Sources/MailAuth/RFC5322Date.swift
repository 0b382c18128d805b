/// A date as RFC 5322 section 3.3 writes it, in UTC: the Date of the
/// report mails, the date of SMTP mode's Received field.
public enum RFC5322Date {
    private static let dayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Tue, 02 Jan 2024 03:04:05 +0000`: RFC 5322 section 3.3 date-time in
    /// UTC, computed without the C library's locale or time zone.
    public static func text(_ seconds: Int64) -> String {
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        // 1970-01-01 was a Thursday.
        let weekday = Int(((days % 7) + 7) % 7)
        // RFC 5322 wants at least four year digits.
        let yearText = year >= 0 && year < 1000 ? String(String(year + 10_000).dropFirst()) : String(year)
        return "\(dayNames[weekday]), \(twoDigits(day)) \(monthNames[month - 1]) \(yearText) "
            + "\(twoDigits(Int(secondOfDay / 3600))):\(twoDigits(Int(secondOfDay % 3600 / 60))):"
            + "\(twoDigits(Int(secondOfDay % 60))) +0000"
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01 (the
    /// era-based civil-from-days algorithm: 400-year eras of 146097 days).
    private static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
