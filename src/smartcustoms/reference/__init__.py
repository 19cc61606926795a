"""Reference data: HS nomenclature, countries and currencies, exchange rates, the APEC
environmental goods list and UN/LOCODE locations. Other features use :mod:`.service`."""
