package io.prefork.sample.clinic;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Creates the realistic profile's tables and seeds them once per database, not once per
 * worker (issue 19: SQL initialisation runs in every worker, so it must be idempotent and safe
 * when N workers start at the same time). Every statement is {@code IF NOT EXISTS} (with named
 * indexes, so a second run adds nothing), and the seed is claimed by inserting row 1 of
 * {@code clinic_seed} in the same transaction as the data: a worker that loses the race blocks
 * on that key or fails on it, rolls back, and retries to find the seed committed. Plain JDBC,
 * portable between H2 and PostgreSQL.
 */
@Component
@Profile("realistic")
class ClinicDatabase implements InitializingBean {

	private static final Log logger = LogFactory.getLog(ClinicDatabase.class);

	private static final int ATTEMPTS = 10;

	private static final List<String> SCHEMA = List.of(
			"CREATE TABLE IF NOT EXISTS clinic_seed (id INTEGER PRIMARY KEY, seeded_at TIMESTAMP NOT NULL)",
			"CREATE TABLE IF NOT EXISTS clinic_types (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL)",
			"CREATE TABLE IF NOT EXISTS clinic_owners (id INTEGER PRIMARY KEY, first_name VARCHAR(30) NOT NULL, "
					+ "last_name VARCHAR(30) NOT NULL, address VARCHAR(255), city VARCHAR(80), telephone VARCHAR(20))",
			"CREATE TABLE IF NOT EXISTS clinic_pets (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL, "
					+ "birth_date DATE, type_id INTEGER NOT NULL REFERENCES clinic_types(id), "
					+ "owner_id INTEGER NOT NULL REFERENCES clinic_owners(id))",
			"CREATE TABLE IF NOT EXISTS clinic_visits (id INTEGER PRIMARY KEY, "
					+ "pet_id INTEGER NOT NULL REFERENCES clinic_pets(id), visit_date DATE, description VARCHAR(255))",
			"CREATE INDEX IF NOT EXISTS clinic_pets_owner_id ON clinic_pets (owner_id)",
			"CREATE INDEX IF NOT EXISTS clinic_visits_pet_id ON clinic_visits (pet_id)");

	private static final String[] TYPES = { "cat", "dog", "lizard", "snake", "bird", "hamster" };

	private static final String[][] OWNERS = { { "George", "Franklin", "110 W. Liberty St.", "Madison" },
			{ "Betty", "Davis", "638 Cardinal Ave.", "Sun Prairie" },
			{ "Eduardo", "Rodriquez", "2693 Commerce St.", "McFarland" },
			{ "Harold", "Davis", "563 Friendly St.", "Windsor" }, { "Peter", "McTavish", "2387 S. Fair Way", "Madison" },
			{ "Jean", "Coleman", "105 N. Lake St.", "Monona" }, { "Jeff", "Black", "1450 Oak Blvd.", "Monona" },
			{ "Maria", "Escobito", "345 Maple St.", "Madison" }, { "David", "Schroeder", "2749 Blackhawk Trail", "Madison" },
			{ "Carlos", "Estaban", "2335 Independence La.", "Waunakee" },
			{ "Aiko", "Tanaka", "17 Willow Row", "Verona" }, { "Nia", "Okafor", "902 Harbor Rd.", "Middleton" } };

	private static final String[] PET_NAMES = { "Leo", "Basil", "Rosy", "Jewel", "Iggy", "George", "Samantha", "Max",
			"Lucky", "Mulligan", "Freddy", "Sly", "Pepper", "Biscuit", "Nala", "Otis", "Mochi", "Ziggy", "Clover",
			"Rex", "Pip", "Juno", "Tango", "Olive" };

	private static final String[] VISIT_REASONS = { "rabies shot", "neutered", "spayed", "annual check-up",
			"dental cleaning", "vaccination booster", "limping, x-ray", "skin allergy" };

	private final DataSource dataSource;

	ClinicDatabase(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	@Override
	public void afterPropertiesSet() throws Exception {
		for (int attempt = 1;; attempt++) {
			try (Connection connection = this.dataSource.getConnection()) {
				boolean seeded = initialise(connection);
				logger.info(seeded ? "Clinic database seeded by pid " + ProcessHandle.current().pid()
						: "Clinic database already seeded");
				return;
			}
			catch (SQLException ex) {
				if (attempt == ATTEMPTS) {
					throw ex;
				}
				logger.info("Clinic database busy (another worker initialising it?), attempt " + attempt + ": "
						+ ex.getMessage());
				Thread.sleep(200L * attempt);
			}
		}
	}

	private boolean initialise(Connection connection) throws SQLException {
		connection.setAutoCommit(true);
		if (!isSeeded(connection)) {
			try (Statement statement = connection.createStatement()) {
				for (String sql : SCHEMA) {
					statement.execute(sql);
				}
			}
		}
		if (isSeeded(connection)) {
			return false;
		}
		connection.setAutoCommit(false);
		try {
			try (PreparedStatement claim = connection
				.prepareStatement("INSERT INTO clinic_seed (id, seeded_at) VALUES (1, CURRENT_TIMESTAMP)")) {
				claim.executeUpdate();
			}
			seed(connection);
			connection.commit();
			return true;
		}
		catch (SQLException ex) {
			connection.rollback();
			throw ex;
		}
		finally {
			connection.setAutoCommit(true);
		}
	}

	private static boolean isSeeded(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM clinic_seed WHERE id = 1")) {
			return result.next() && result.getInt(1) > 0;
		}
		catch (SQLException ex) {
			return false;       // no table yet
		}
	}

	private static void seed(Connection connection) throws SQLException {
		try (PreparedStatement types = connection.prepareStatement("INSERT INTO clinic_types VALUES (?, ?)");
				PreparedStatement owners = connection
					.prepareStatement("INSERT INTO clinic_owners VALUES (?, ?, ?, ?, ?, ?)");
				PreparedStatement pets = connection.prepareStatement("INSERT INTO clinic_pets VALUES (?, ?, ?, ?, ?)");
				PreparedStatement visits = connection
					.prepareStatement("INSERT INTO clinic_visits VALUES (?, ?, ?, ?)")) {
			for (int i = 0; i < TYPES.length; i++) {
				types.setInt(1, i + 1);
				types.setString(2, TYPES[i]);
				types.addBatch();
			}
			types.executeBatch();
			int pet = 0;
			int visit = 0;
			for (int o = 0; o < OWNERS.length; o++) {
				owners.setInt(1, o + 1);
				owners.setString(2, OWNERS[o][0]);
				owners.setString(3, OWNERS[o][1]);
				owners.setString(4, OWNERS[o][2]);
				owners.setString(5, OWNERS[o][3]);
				owners.setString(6, String.format("608555%04d", 1023 + 37 * o));
				owners.addBatch();
			}
			owners.executeBatch();
			for (int o = 0; o < OWNERS.length; o++) {
				for (int p = 0; p < 2; p++, pet++) {
					pets.setInt(1, pet + 1);
					pets.setString(2, PET_NAMES[pet % PET_NAMES.length]);
					pets.setDate(3, Date.valueOf(LocalDate.of(2015 + pet % 9, 1 + pet % 12, 1 + (7 * pet) % 28)));
					pets.setInt(4, 1 + pet % TYPES.length);
					pets.setInt(5, o + 1);
					pets.addBatch();
					for (int v = 0; v < 2; v++, visit++) {
						visits.setInt(1, visit + 1);
						visits.setInt(2, pet + 1);
						visits.setDate(3, Date.valueOf(LocalDate.of(2024 + v, 1 + (3 * visit) % 12, 1 + visit % 28)));
						visits.setString(4, VISIT_REASONS[visit % VISIT_REASONS.length]);
						visits.addBatch();
					}
				}
			}
			pets.executeBatch();
			visits.executeBatch();
		}
	}

}
