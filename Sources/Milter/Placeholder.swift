public enum MilterPlaceholder {}
