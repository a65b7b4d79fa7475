"""The worked examples of ../shared/formats/, as inputs (the expected files are the spec's own text)."""

from __future__ import annotations

from datetime import date, datetime

from comptoir.billing.bankfiles.model import Batch, Creditor, Debit
from comptoir.billing.bankfiles.norma19 import Norma19Field, Norma19Options

# NORMA19.md §6
NORMA19_CREDITOR = Creditor(name="Comptoir Hosting SL", nif="B12345678", nif_suffix="000",
                            iban="ES9121000418450200051332")
NORMA19_OPTIONS = Norma19Options(fields={Norma19Field.CONCEPT_2: "vat_note", Norma19Field.CONCEPT_3: "period"})
NORMA19_BATCH = Batch(
    creditor=NORMA19_CREDITOR, collection_date=date(2026, 12, 2), created_at=datetime(2026, 11, 26, 10, 15),
    debits=(
        Debit(debtor_name="García López María", amount_minor=1999, account_number="00720101930000122351",
              debtor_reference="CLI000000042", remittance="Factura 2026-0042 hosting dic"),
        Debit(debtor_name="Perez Nunez Jose", amount_minor=12100, account_number="0049 1500 07 0212345678",
              debtor_reference="CLI000000107", remittance="Factura 2026-0107 servidor",
              variables={"vat_note": "IVA 21 incluido", "period": "Periodo 01/12/2026-31/12/2026"}),
    ))
NORMA19_EXPECTED = """\
5180B12345678000261126______COMPTOIR_HOSTING_SL_________________________________________21000418__________________________________________________________________
5380B12345678000261126021226COMPTOIR_HOSTING_SL_____________________21000418450200051332________01________________________________________________________________
5680B12345678000CLI000000107PEREZ_NUNEZ_JOSE________________________004915000702123456780000012100________________FACTURA_2026-0107_SERVIDOR______________________
5681B12345678000CLI000000107IVA_21_INCLUIDO_________________________PERIODO_01/12/2026-31/12/2026_________________________________________________________________
5680B12345678000CLI000000042GARCIA_LOPEZ_MARIA______________________007201019300001223510000001999________________FACTURA_2026-0042_HOSTING_DIC___________________
5880B12345678000________________________________________________________________________0000014099______00000000020000000005______________________________________
5980B12345678000____________________________________________________0001________________0000014099______00000000020000000007______________________________________
""".replace("_", " ")

# DTAUS.md §8
DTAUS_BATCH = Batch(
    creditor=Creditor(name="Comptoir Hosting GmbH", bank_code="37040044", account_number="532013000"),
    collection_date=date(2026, 12, 1), created_at=datetime(2026, 11, 26, 9, 0),
    debits=(
        Debit(debtor_name="Mueller Juergen", amount_minor=1999, bank_code="12030000", account_number="202051",
              remittance="Rechnung 2026-0042"),
        Debit(debtor_name="Schäfer Anna", amount_minor=12100, bank_code="50010517", account_number="5405871620",
              remittance="Rechnung 2026-0107\nKundennr 4711 Dezember 2026"),
    ))
DTAUS_EXPECTED_BLOCKS = [line.replace("_", " ") for line in """\
0128ALK3704004400000000COMPTOIR_HOSTING_GMBH______261126____05320130000000000000_______________01122026________________________1
0187C00000000120300000000202051000000000000005000_0000000000037040044053201300000000001999___MUELLER_JUERGEN____________________
COMPTOIR_HOSTING_GMBH______RECHNUNG_2026-0042_________1__00_____________________________________________________________________
0216C00000000500105175405871620000000000000005000_0000000000037040044053201300000000012100___SCH[FER_ANNA_______________________
COMPTOIR_HOSTING_GMBH______RECHNUNG_2026-0107_________1__0102KUNDENNR_4711_DEZEMBER_2026________________________________________
0128E_____0000002000000000000000000005406073671000000000620405170000000014099___________________________________________________
""".splitlines()]

# SEPA_DD.md §6
SEPA_BATCH = Batch(
    creditor=Creditor(name="Comptoir Hosting SL", iban="ES9121000418450200051332", bic="CAIXESBBXXX",
                      creditor_id="ES97000B12345678"),
    collection_date=date(2026, 12, 2), created_at=datetime(2026, 11, 26, 10, 15),
    message_id="COMPTOIR-20261126-0001", payment_info_prefix="COMPTOIR-20261126",
    debits=(
        Debit(debtor_name="José Pérez Núñez", amount_minor=12100, iban="ES6000491500051234567892",
              mandate_id="MNDT-CLI000000107", mandate_date=date(2025, 3, 14), reference="INV-2026-0107",
              remittance="Factura 2026-0107 servidor dedicado diciembre"),
        Debit(debtor_name="Jürgen Müller", amount_minor=1999, iban="DE02120300000000202051", bic="BYLADEM1001",
              mandate_id="MNDT-CLI000000042", mandate_date=date(2024, 1, 15), reference="INV-2026-0042",
              remittance="Rechnung 2026-0042 Hosting Dezember"),
    ))
SEPA_EXPECTED = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02">
  <CstmrDrctDbtInitn>
    <GrpHdr>
      <MsgId>COMPTOIR-20261126-0001</MsgId><CreDtTm>2026-11-26T10:15:00</CreDtTm>
      <NbOfTxs>2</NbOfTxs><CtrlSum>140.99</CtrlSum>
      <InitgPty><Nm>Comptoir Hosting SL</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>COMPTOIR-20261126-RCUR</PmtInfId><PmtMtd>DD</PmtMtd><BtchBookg>true</BtchBookg>
      <NbOfTxs>2</NbOfTxs><CtrlSum>140.99</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>RCUR</SeqTp></PmtTpInf>
      <ReqdColltnDt>2026-12-02</ReqdColltnDt>
      <Cdtr><Nm>Comptoir Hosting SL</Nm></Cdtr>
      <CdtrAcct><Id><IBAN>ES9121000418450200051332</IBAN></Id></CdtrAcct>
      <CdtrAgt><FinInstnId><BIC>CAIXESBBXXX</BIC></FinInstnId></CdtrAgt>
      <ChrgBr>SLEV</ChrgBr>
      <CdtrSchmeId><Id><PrvtId><Othr><Id>ES97000B12345678</Id>
        <SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>
      <DrctDbtTxInf>
        <PmtId><EndToEndId>INV-2026-0107</EndToEndId></PmtId>
        <InstdAmt Ccy="EUR">121.00</InstdAmt>
        <DrctDbtTx><MndtRltdInf><MndtId>MNDT-CLI000000107</MndtId><DtOfSgntr>2025-03-14</DtOfSgntr></MndtRltdInf></DrctDbtTx>
        <DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>
        <Dbtr><Nm>Jose Perez Nunez</Nm></Dbtr>
        <DbtrAcct><Id><IBAN>ES6000491500051234567892</IBAN></Id></DbtrAcct>
        <RmtInf><Ustrd>Factura 2026-0107 servidor dedicado diciembre</Ustrd></RmtInf>
      </DrctDbtTxInf>
      <DrctDbtTxInf>
        <PmtId><EndToEndId>INV-2026-0042</EndToEndId></PmtId>
        <InstdAmt Ccy="EUR">19.99</InstdAmt>
        <DrctDbtTx><MndtRltdInf><MndtId>MNDT-CLI000000042</MndtId><DtOfSgntr>2024-01-15</DtOfSgntr></MndtRltdInf></DrctDbtTx>
        <DbtrAgt><FinInstnId><BIC>BYLADEM1001</BIC></FinInstnId></DbtrAgt>
        <Dbtr><Nm>Juergen Mueller</Nm></Dbtr>
        <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>
        <RmtInf><Ustrd>Rechnung 2026-0042 Hosting Dezember</Ustrd></RmtInf>
      </DrctDbtTxInf>
    </PmtInf>
  </CstmrDrctDbtInitn>
</Document>
"""
