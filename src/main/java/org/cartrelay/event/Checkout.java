package org.cartrelay.event;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Checkout(
        String id,
        String orderFormId,
        String resumeUrl,
        String currency,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal total,
        List<Item> items) {

    public Checkout {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
