public enum MailAuthPlaceholder {}
