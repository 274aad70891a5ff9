package to.clasp.journal.internal.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import to.clasp.journal.SqliteJournal.FileInfo;

/** Reads the figures of {@link to.clasp.journal.SqliteJournal#fileInfo()}: pages, sizes and snapshots. */
public final class SqliteFileFigures {

    private SqliteFileFigures() {}

    /**
     * Reads the figures on a read connection.
     *
     * @param file the database file, or null for an in-memory database (its sizes are 0)
     */
    public static FileInfo read(SqliteReadPool.Reader r, Path file) throws SQLException {
        int pageSize = (int) scalar(r, SqliteSchema.PAGE_SIZE);
        long pageCount = scalar(r, SqliteSchema.PAGE_COUNT);
        long freePages = scalar(r, SqliteSchema.FREE_PAGES);
        boolean shrinks = scalar(r, SqliteSchema.AUTO_VACUUM) != 0;
        int snapshots;
        OptionalLong newest;
        long snapshotBytes;
        try (ResultSet rs = r.prepare(SqliteSchema.SNAPSHOT_FIGURES).executeQuery()) {
            rs.next();
            snapshots = rs.getInt(1);
            long seq = rs.getLong(2);
            newest = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(seq);
            snapshotBytes = rs.getLong(3);
        }
        return new FileInfo(sizeOf(file), file == null ? 0 : sizeOf(file.resolveSibling(
                file.getFileName() + "-wal")), pageSize, pageCount, freePages, shrinks, snapshots,
                newest, snapshotBytes);
    }

    private static long scalar(SqliteReadPool.Reader r, String sql) throws SQLException {
        try (ResultSet rs = r.prepare(sql).executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    private static long sizeOf(Path path) {
        try {
            return path == null || !Files.exists(path) ? 0 : Files.size(path);
        } catch (IOException e) {
            return 0; // removed in the meantime: a checkpoint deleted the WAL
        }
    }
}
