import MailAuth
import Testing

@Suite struct ReportCommandOutputTests {
    @Test func textFromMailCannotCarryTerminalEscapes() {
        #expect(ControlCharacters.printable("evil\u{1b}[31m.example\r\n\u{9b}2J\u{7f}") == "evil?[31m.example???2J?")
        #expect(ControlCharacters.printable("bücher.example 250 ok") == "bücher.example 250 ok")
    }
}
