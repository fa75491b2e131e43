package io.queueservice.broker;

/** A queue or exchange named in a request does not exist in the virtual host. */
public final class ResourceNotFoundException extends BrokerException {
    private static final long serialVersionUID = 1L;
    private final String kind;
    private final String name;

    public ResourceNotFoundException(String kind, String name) {
        super(kind + " '" + name + "' does not exist");
        this.kind = kind;
        this.name = name;
    }

    /** {@code "queue"} or {@code "exchange"}. */
    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }
}
