package org.spineoutcomes.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A query parameter the API cannot use: answered 400 with the parameter, the value and what is allowed. */
public final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String parameter;
    private final String value;
    private final List<String> allowed;

    public BadRequest(String parameter, String value, List<String> allowed, String message) {
        super(message);
        this.parameter = parameter;
        this.value = value;
        this.allowed = List.copyOf(allowed);
    }

    public String parameter() { return parameter; }

    public String value() { return value; }

    public List<String> allowed() { return allowed; }

    /** The JSON body of the 400 answer: error, parameter, value (null when missing), allowed. */
    public Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", getMessage());
        m.put("parameter", parameter);
        m.put("value", value);
        m.put("allowed", allowed);
        return m;
    }
}
