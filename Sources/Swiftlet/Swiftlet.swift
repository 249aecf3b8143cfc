public enum Swiftlet {}
