package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

/** When the starter's Spring Security parts are there, and when they back off. */
class StatusStreamSecurityAutoConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StatusStreamAutoConfiguration.class, StatusStreamWebMvcAutoConfiguration.class,
                    StatusStreamSecurityAutoConfiguration.class, JacksonAutoConfiguration.class,
                    WebMvcAutoConfiguration.class))
            .withUserConfiguration(OneStream.class);

    private final WebApplicationContextRunner withBootSecurity = runner.withConfiguration(
            AutoConfigurations.of(SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class));

    @Test
    void addsTheClientsChainBesideBootsDefaultChainWhichStays() {
        withBootSecurity.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(StatusStreamSecurity.class)
                    .hasBean("statusStreamClientSecurityFilterChain").hasBean("defaultSecurityFilterChain");
        });
    }

    @Test
    void matchesEveryStreamUrlAndNothingElse() {
        withBootSecurity.run(context -> {
            StatusStreamSecurity security = context.getBean(StatusStreamSecurity.class);
            assertThat(security.streamRequests().matches(get("/api/v1/bots/7/status-stream"))).isTrue();
            assertThat(security.streamRequests().matches(get("/api/v1/bots/status-stream"))).isTrue();
            assertThat(security.streamRequests().matches(get("/api/v1/bots/7"))).isFalse();
            assertThat(security.streamRequests().matches(get(StatusStreamSecurity.CLIENT_PATH))).isFalse();
            assertThat(security.clientRequests().matches(get(StatusStreamSecurity.CLIENT_PATH))).isTrue();
            assertThat(security.clientRequests().matches(get("/status-stream/other.js"))).isFalse();
        });
    }

    @Test
    void backsOffWhenThePropertyTurnsTheClientsChainOff() {
        withBootSecurity.withPropertyValues("status-stream.security.permit-client=false").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(StatusStreamSecurity.class)
                    .doesNotHaveBean("statusStreamClientSecurityFilterChain");
        });
    }

    @Test
    void backsOffForTheApplicationsOwnClientChain() {
        withBootSecurity.withUserConfiguration(OwnClientChain.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("statusStreamClientSecurityFilterChain"))
                    .isSameAs(context.getBean(OwnClientChain.class).chain);
        });
    }

    @Test
    void addsNoChainWhereNoOtherChainExistsSoSpringSecuritysFallbackStaysInCharge() {
        runner.run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean("statusStreamClientSecurityFilterChain"));
    }

    @Test
    void needsNoSpringSecurity() {
        runner.withClassLoader(new FilteredClassLoader(SecurityFilterChain.class, HttpSecurity.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(StatusStreamSecurity.class)
                        .hasSingleBean(StatusStreams.class));
    }

    private static MockHttpServletRequest get(String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.setServletPath(path);
        return request;
    }

    @Configuration(proxyBeanMethods = false)
    static class OneStream {

        @Bean
        StreamDefinition<Long, String> botStream() {
            return StreamDefinition.builder("bots", new InMemoryStateSource<Long, String>())
                    .path("/api/v1/bots")
                    .keyParser(KeyParsers.asciiLong())
                    .publicAccess()
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnClientChain {

        SecurityFilterChain chain;

        @Bean
        SecurityFilterChain statusStreamClientSecurityFilterChain(HttpSecurity http) throws Exception {
            chain = http.securityMatcher(StatusStreamSecurity.CLIENT_PATH)
                    .authorizeHttpRequests(requests -> requests.anyRequest().authenticated()).build();
            return chain;
        }
    }
}
