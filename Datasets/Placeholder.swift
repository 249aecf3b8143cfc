public enum DatasetsModule {}
