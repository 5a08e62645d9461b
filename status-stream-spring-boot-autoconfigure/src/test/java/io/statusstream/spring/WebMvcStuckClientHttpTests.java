package io.statusstream.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The stuck-client contract on Spring MVC and Tomcat, whose connection timeout bounds the blocked write (1 s here),
 * after which the response is completed and the place freed.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "server.tomcat.connection-timeout=1s")
class WebMvcStuckClientHttpTests extends StuckClientContract {
}
