package io.statusstream.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures the records of one logger ({@code System.Logger} goes to {@code java.util.logging} by default) while open.
 * Thread-safe.
 */
final class LogRecorder extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new ArrayList<>();

    private LogRecorder(String name) {
        logger = Logger.getLogger(name);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    static LogRecorder of(Class<?> type) {
        return new LogRecorder(type.getName());
    }

    static LogRecorder of(String loggerName) {
        return new LogRecorder(loggerName);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /** Messages logged at this level. */
    synchronized List<String> messages(Level level) {
        return records.stream().filter(record -> record.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
