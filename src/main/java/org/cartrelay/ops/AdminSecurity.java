package org.cartrelay.ops;

import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Admin surfaces ({@code /api/**}, actuator beyond health) need the admin's credentials over HTTP basic. Intake
 * requests never reach this chain ({@code IntakeEndpoints} serves them ahead of it): their senders prove themselves
 * with signatures instead. Without {@code cartrelay.admin.password} a random password is generated and printed once
 * at start-up.
 */
@Configuration(proxyBeanMethods = false)
public class AdminSecurity {

    private static final Logger log = LoggerFactory.getLogger(AdminSecurity.class);

    @Bean
    SecurityFilterChain adminChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(auth -> auth
                        .requestMatchers("/api/**").authenticated()
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/actuator/**").authenticated()
                        .anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                // no browser sessions, no cookies: nothing for cross-site request forgery to ride on; and the
                // CSRF filter would read form bodies that intake must verify byte for byte
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    @Bean
    UserDetailsService adminUser(@Value("${cartrelay.admin.username:admin}") String username,
            @Value("${cartrelay.admin.password:}") String password) {
        String effective = password;
        if (effective.isBlank()) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            effective = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            log.warn("cartrelay.admin.password is not set; generated for this run: user '{}', password '{}'",
                    username, effective);
        }
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        return new InMemoryUserDetailsManager(User.withUsername(username).password(encoder.encode(effective))
                .roles("ADMIN").build());
    }
}
