// pgjdbc verifying with the JVM's truststore, the PKCS#12 file that
// `rootcert fetch --format pkcs12` saves: sslmode=verify-full, no sslrootcert, and
// DefaultJavaSSLFactory (the JVM's default TLS trust, so javax.net.ssl.trustStore):
//   java -Djavax.net.ssl.trustStore=/etc/ssl/app/DigiCertGlobalRootG2.p12 \
//        -Djavax.net.ssl.trustStoreType=PKCS12 \
//        -cp /usr/share/java/postgresql.jar PgjdbcTruststore.java
// No trustStorePassword is needed (the file has none; any given is fine too).
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

public class PgjdbcTruststore {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT")
            + "/postgres?user=postgres&sslmode=verify-full"
            + "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory";
        try (Connection connection = DriverManager.getConnection(url);
             ResultSet result = connection.createStatement().executeQuery("select 1")) {
            result.next();
            System.out.println(result.getInt(1));
        }
    }
}
