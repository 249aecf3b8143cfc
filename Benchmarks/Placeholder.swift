public enum SwiftletBenchmarksModule {}
