public enum SwiftletCLIModule {}
