package org.cartrelay.connectors.http;

import org.cartrelay.event.EventJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** Reading a field out of a vendor's JSON answer. */
public final class Answers {

    private Answers() {}

    /** The value at a JSON pointer such as {@code /ticket/id}, or null when the answer is not JSON or lacks it. */
    public static JsonNode field(String answer, String pointer) {
        if (answer == null || answer.isBlank()) {
            return null;
        }
        try {
            JsonNode value = EventJson.MAPPER.readTree(answer).at(pointer);
            return value.isMissingNode() || value.isNull() ? null : value;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
