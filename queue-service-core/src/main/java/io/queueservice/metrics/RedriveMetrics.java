package io.queueservice.metrics;

/** What redrives report. {@link #NO_OP} when nobody is listening. */
public interface RedriveMetrics {
    /** A redrive started. */
    void started();

    /** A message was republished, confirmed and removed from its dead-letter queue. */
    void moved();

    /** A message could not be republished and stays in its dead-letter queue. */
    void failed();

    /** A redrive ended: {@code completed}, {@code cancelled} or {@code failed}. */
    void finished(String state);

    RedriveMetrics NO_OP = new RedriveMetrics() {
        @Override
        public void started() {}

        @Override
        public void moved() {}

        @Override
        public void failed() {}

        @Override
        public void finished(String state) {}
    };
}
